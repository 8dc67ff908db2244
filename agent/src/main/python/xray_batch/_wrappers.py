"""Wrappers that PySpark's own call-site code cannot tell from PySpark.

PySpark names Spark's call site ("collect at job.py:12", shown in the Spark UI and read by the agent)
and SparkContext._callsite with traceback_utils.first_spark_call(): the frame just outside the first frame
inside pyspark's folder. A plain wrapper frame in this package would be that frame, and every call site
would point here. So a wrapper's code says it lives in the wrapped function's folder, under a file name
that exists nowhere (tracebacks show the frame without a source line), and carries the wrapped function's
name: first_spark_call() then finds the user's line, exactly as without the wrapper.
"""

import builtins
import functools
import os

from ._frames import WRAPPER_FILE

# One line each, so every instruction maps to line 1 of the made-up file.
_SOURCE = (
    "def action(*args, **kwargs): return _original(*args, **kwargs) if _bridge.absent "
    "else _run(_original, _name, args, kwargs)\n"
    "def hook(*args, **kwargs): return _run(_original, _name, args, kwargs)\n"
)
_TEMPLATES = {}
for _constant in compile(_SOURCE, WRAPPER_FILE, "exec").co_consts:
    if hasattr(_constant, "co_name"):
        _TEMPLATES[_constant.co_name] = _constant


def _function(kind, original, name, run, bridge):
    code = original.__code__
    template = _TEMPLATES[kind]
    changes = {
        "co_name": code.co_name,
        "co_filename": os.path.join(os.path.dirname(code.co_filename), WRAPPER_FILE),
    }
    if hasattr(code, "co_qualname"):
        changes["co_qualname"] = code.co_qualname
    scope = {"__builtins__": builtins, "_original": original, "_name": name, "_run": run, "_bridge": bridge}
    wrapper = type(original)(template.replace(**changes), scope, code.co_name)
    functools.update_wrapper(wrapper, original)
    return wrapper


def runs_later(function):
    """Generator and coroutine functions: their body runs after the call returns, as the caller iterates."""
    code = getattr(function, "__code__", None)
    return code is not None and bool(code.co_flags & (0x20 | 0x80 | 0x200))  # GENERATOR, COROUTINE, ASYNC_GEN


def action_wrapper(original, name, run, bridge):
    """Calls `original` directly while `bridge.absent`, else `run(original, name, args, kwargs)`."""
    return _function("action", original, name, run, bridge)


def hook_wrapper(original, name, run):
    """Always calls `run(original, name, args, kwargs)`."""
    return _function("hook", original, name, run, None)
