"""xray_batch: the Python side of xray-batch-agent for PySpark drivers.

    import xray_batch                      # also turns on the tracing of PySpark actions

    with xray_batch.step("add_unique_ids"):
        ...
    @xray_batch.step("load")               # or bare @xray_batch.step, named after the function
    def load(): ...

    xray_batch.annotate("input", path)     # on the current subsegment: str, int, float or bool
    xray_batch.metadata("config", {...})   # anything json.dumps can write (default=str)
    xray_batch.trace_id()                  # "1-..." or None when not traced

Everything goes to the JVM through the agent's bridge on PySpark's py4j gateway. With no agent in
the JVM, every call is a no-op and one line on stderr says so; nothing here raises into the job.
"""

from . import _bridge  # first: its import time stands for the interpreter's start where /proc is missing
from . import _context, _excepthook, _patching
from ._bridge import BRIDGE
from ._steps import step

__all__ = ["step", "annotate", "metadata", "trace_id"]


def annotate(key, value):
    """An annotation (indexed, searchable) on the calling thread's current subsegment."""
    try:
        _context.annotate(key, value)
    except Exception:
        pass


def metadata(key, value):
    """Metadata (any JSON) on the calling thread's current subsegment."""
    try:
        _context.metadata(key, value)
    except Exception:
        pass


def trace_id():
    """The trace's id ("1-5f...-..."), for log lines; None when this process is not traced (yet)."""
    try:
        return BRIDGE.trace_id()
    except Exception:
        return None


def _start():
    if getattr(_start, "done", False):
        return
    _start.done = True
    if _bridge.is_python_worker():
        # A Python worker on an executor: no driver JVM to talk to, nothing to patch, nothing to say.
        BRIDGE.turn_off()
        return
    import atexit

    atexit.register(_context.report_unsent_at_exit)
    _excepthook.install()
    _patching.install()


try:
    _start()
except Exception as _error:  # never let tracing stop the program from importing us
    _bridge.warn_once("off", "Python tracing could not start (%s: %s); the job runs untraced"
                      % (type(_error).__name__, _error))
