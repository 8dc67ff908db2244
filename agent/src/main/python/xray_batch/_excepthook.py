"""The program's uncaught exception, reported with programFailed before the previous sys.excepthook runs."""

import sys

from ._bridge import BRIDGE
from ._frames import describe

_MARKER = "_xray_batch_excepthook"
_reported = [False]


def install():
    """Chain in front of the current hook, unless it is already ours (a second import, or a re-check)."""
    previous = sys.excepthook
    if getattr(previous, _MARKER, False):
        return

    def excepthook(exc_type, exc, tb):
        _report(exc, tb)
        previous(exc_type, exc, tb)

    setattr(excepthook, _MARKER, True)
    excepthook.previous = previous
    sys.excepthook = excepthook


def _report(exc, tb):
    try:
        # At an interactive prompt (pyspark shell) the hook runs for every error and the program goes on.
        if _reported[0] or not BRIDGE.live or hasattr(sys, "ps1") or sys.flags.interactive:
            return
        _reported[0] = True
        error_type, error_message, stack = describe(exc, tb)
        if error_type is not None:
            # Reported even when an action already reported the same exception: this is the program's end.
            BRIDGE.program_failed(error_type, error_message, stack)
    except Exception:
        pass
