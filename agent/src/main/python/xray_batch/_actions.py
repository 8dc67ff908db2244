"""One call the user made is one action: actionBegin before, actionEnd after, at the outermost wrapped call.

PySpark's actions call each other (df.first() runs head, take and collect; df.foreach runs df.rdd and
RDD.foreach, which runs count, sum, fold and collect), so only the outermost wrapped call on a thread
reports, and it is named after the method the user called.
"""

import sys

from . import _context
from ._bridge import BRIDGE
from ._wrappers import action_wrapper

MARKER = "__xray_batch_action__"


def run_action(original, api_name, args, kwargs):
    state = _context.THREAD
    if state.depth:
        return original(*args, **kwargs)
    token = 0
    try:
        # Frame 1 is the wrapper: the user's frame is the first one outside the libraries from there.
        token = _context.action_begin(state, api_name, sys._getframe(1))
    except Exception:
        pass
    state.depth = 1
    try:
        result = original(*args, **kwargs)
    except BaseException as error:
        state.depth = 0
        if token:
            _end(token, error)
        raise
    state.depth = 0
    if token:
        _end(token, None)
    # Iterators (toLocalIterator) come back as they are: the action is the call; the jobs Spark runs as
    # the caller iterates come after it.
    return result


def _end(token, error):
    try:
        _context.action_end(token, error)
    except Exception:
        pass


def traced(original, api_name):
    wrapper = action_wrapper(original, api_name, run_action, BRIDGE)
    setattr(wrapper, MARKER, api_name)
    return wrapper


def is_traced(function):
    return getattr(function, MARKER, None) is not None
