"""Steps: a subsegment in the JVM's trace around a block or a function, holding the actions made inside it."""

import functools

from . import _context
from ._bridge import warn_once
from ._wrappers import runs_later

DEFAULT_NAME = "step"
UNPRINTABLE_NAME = "step (unprintable name)"


def step(name=None):
    """`with step("name"):`, `@step("name")`, `@step()` or bare `@step` (named after the function)."""
    try:
        bare_decorator = callable(name) and not isinstance(name, str)
    except Exception:
        bare_decorator = False
    if bare_decorator:
        return Step(None)(name)
    return Step(name)


def _text(name):
    """The name as text; a placeholder (and one line on stderr) when the object's __str__ fails: the
    job's own object must never make the agent raise into the job."""
    if name is None or isinstance(name, str):
        return name
    try:
        text = str(name)
        if isinstance(text, str):
            return text
        raise TypeError("__str__ returned a %s" % type(text).__name__)
    except Exception as error:
        try:
            kind = type(name).__name__
            why = "%s: %s" % (type(error).__name__, error)
        except Exception:
            kind, why = "object", "unprintable error"
        warn_once("step-name", "xray_batch.step: the step's name (a %s) could not be turned into text (%s); "
                               "it is named %r" % (kind, why, UNPRINTABLE_NAME))
        return UNPRINTABLE_NAME


class Step:
    """Holds only its name: the open step lives on the thread's stack, so one Step can be entered by
    several threads, or nested, at the same time."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = _text(name)

    def __enter__(self):
        try:
            _context.enter_step(self.name or DEFAULT_NAME)
        except Exception:
            pass
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            _context.exit_step(exc, tb)
        except Exception:
            pass
        return False  # the exception, if any, goes on unchanged

    def __call__(self, function):
        try:
            return self._wrap(function)
        except Exception:
            return function  # the function untraced rather than an error at the job's decorator line

    def _wrap(self, function):
        try:
            name = self.name or _text(getattr(function, "__name__", None)) or DEFAULT_NAME
        except Exception:
            name = DEFAULT_NAME
        if runs_later(function):
            # Their body runs after the call returns, interleaved with the caller: a step around the
            # call would measure nothing.
            warn_once("step-generator", "xray_batch.step on %r, a generator or async function, is not "
                                        "traced: use `with xray_batch.step(...)` inside it" % name)
            return function

        @functools.wraps(function)
        def stepped(*args, **kwargs):
            with Step(name):
                return function(*args, **kwargs)

        return stepped

    def __repr__(self):
        return "xray_batch.step(%r)" % (self.name,)
