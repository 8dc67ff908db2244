"""Steps: a subsegment in the JVM's trace around a block or a function, holding the actions made inside it."""

import functools

from . import _context
from ._bridge import warn_once
from ._wrappers import runs_later

DEFAULT_NAME = "step"


def step(name=None):
    """`with step("name"):`, `@step("name")`, `@step()` or bare `@step` (named after the function)."""
    if callable(name) and not isinstance(name, str):
        return Step(None)(name)
    return Step(name)


class Step:
    """Holds only its name: the open step lives on the thread's stack, so one Step can be entered by
    several threads, or nested, at the same time."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = None if name is None else (name if isinstance(name, str) else str(name))

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
        name = self.name or getattr(function, "__name__", None) or DEFAULT_NAME
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
