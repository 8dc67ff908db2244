"""Where the user's code is: call sites and stacks as `file:line:function` lines; errors for the JVM."""

import os
import sys

MAX_CALL_STACK = 20
MAX_ERROR_STACK = 50
MAX_MESSAGE = 2000

# The co_filename of the action wrappers ends with this (see _wrappers): they sit inside pyspark's folder.
WRAPPER_FILE = "<xray_batch wrapper>"

# Not made absolute: frames carry co_filename exactly as the module was loaded, like __file__.
_OWN_FOLDER = os.path.dirname(__file__) + os.sep
_library_prefixes = None


def _prefixes():
    """Folders of pyspark, py4j and this package; cached once both libraries are imported."""
    global _library_prefixes
    if _library_prefixes is not None:
        return _library_prefixes
    prefixes = [_OWN_FOLDER]
    complete = True
    for name in ("pyspark", "py4j"):
        module = sys.modules.get(name)
        module_file = getattr(module, "__file__", None)
        if module_file:
            prefixes.append(os.path.dirname(module_file) + os.sep)
        else:
            complete = False
    found = tuple(prefixes)
    if complete:
        _library_prefixes = found
    return found


def is_library(filename):
    return filename.startswith(_prefixes()) or filename.endswith(WRAPPER_FILE)


def _is_noise(filename):
    # runpy's frozen frames sit under every `python -m` program and say nothing about the job.
    return filename.startswith("<frozen ")


def _line(code, lineno):
    return "%s:%d:%s" % (code.co_filename, lineno or 0, code.co_name)


def user_call_site(frame):
    """(file, line, stack) of the first frame outside pyspark, py4j and this package, from `frame` outwards.

    The stack holds up to 20 user-side frames, innermost first; library frames between them are left out.
    """
    prefixes = _prefixes()
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(prefixes) or filename.endswith(WRAPPER_FILE)):
            break
        frame = frame.f_back
    if frame is None:
        return None, 0, None
    file, line = frame.f_code.co_filename, frame.f_lineno or 0
    lines = []
    while frame is not None and len(lines) < MAX_CALL_STACK:
        code = frame.f_code
        filename = code.co_filename
        if not (filename.startswith(prefixes) or filename.endswith(WRAPPER_FILE) or _is_noise(filename)):
            lines.append(_line(code, frame.f_lineno))
        frame = frame.f_back
    return file, line, "\n".join(lines)


def type_name(error):
    cls = type(error)
    module = getattr(cls, "__module__", None)
    name = getattr(cls, "__qualname__", cls.__name__)
    # Python's own tracebacks leave these two out: ValueError, not builtins.ValueError.
    if module in (None, "builtins", "__main__"):
        return name
    return "%s.%s" % (module, name)


def message(error):
    try:
        text = str(error)
    except Exception:
        try:
            text = "<unprintable %s>" % type(error).__name__
        except Exception:
            text = "<unprintable>"
    return text[:MAX_MESSAGE]


def traceback_stack(tb):
    """The traceback's frames as `file:line:function`, innermost first, at most 50, without this package's."""
    entries = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if not (code.co_filename.startswith(_OWN_FOLDER) or code.co_filename.endswith(WRAPPER_FILE)):
            entries.append(_line(code, tb.tb_lineno))
        tb = tb.tb_next
    entries.reverse()
    return "\n".join(entries[:MAX_ERROR_STACK])


def describe(error, tb=None):
    """(type, message, stack) for the JVM, or three Nones for a success or a clean exit."""
    if error is None or is_clean_exit(error):
        return None, None, None
    try:
        return type_name(error), message(error), traceback_stack(tb or error.__traceback__)
    except Exception:
        return "unknown", None, None


def is_clean_exit(error):
    """sys.exit(0) or sys.exit() raised through a step or an action is the program ending well."""
    return isinstance(error, SystemExit) and error.code in (None, 0)
