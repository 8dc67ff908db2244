"""Per-thread tracing state: the action depth, the open steps, and what waits for the JVM.

Py4J in PySpark pins each Python thread to its own JVM thread, so "the calling thread's current
subsegment" on the JVM side follows what this thread did here.

Before the JVM is reached (no SparkContext yet) steps and annotations are held, in order, per thread:
at the thread's first contact with a live bridge the open steps begin (outermost first) and the held
annotations are sent into the step they were made in. A step that ends before that contact never
reached the JVM and is dropped with what it held.
"""

import threading

from ._bridge import BRIDGE, warn_once
from ._frames import describe, user_call_site
from ._values import annotation_key, annotation_value, metadata_json

MAX_HELD = 100


class _OpenStep:
    __slots__ = ("name", "token", "begun", "held")

    def __init__(self, name):
        self.name = name
        self.token = 0
        self.begun = False
        self.held = []


class _ThreadState(threading.local):
    def __init__(self):
        self.depth = 0
        self.steps = []
        self.held = []
        self.held_count = 0
        self.waiting = False


THREAD = _ThreadState()
_unsent = [0]


def _reached_jvm(state):
    """Begin the steps and send the annotations this thread made before the bridge was live."""
    state.waiting = False
    held, state.held = state.held, []
    state.held_count = 0
    for operation in held:
        operation()
    for open_step in state.steps:
        if open_step is not None and not open_step.begun:
            open_step.begun = True
            open_step.token = BRIDGE.step_begin(open_step.name)
            for operation in open_step.held:
                operation()
            open_step.held = []


def flush_current_thread():
    state = THREAD
    if state.waiting and BRIDGE.live:
        _reached_jvm(state)


def _hold(state, operation):
    _unsent[0] += 1
    if state.held_count >= MAX_HELD:
        return
    state.held_count += 1
    state.waiting = True
    open_step = state.steps[-1] if state.steps else None
    (open_step.held if open_step is not None else state.held).append(operation)


def enter_step(name):
    state = THREAD
    if BRIDGE.absent:
        state.steps.append(None)
        return
    open_step = _OpenStep(name)
    state.steps.append(open_step)
    if BRIDGE.live:
        if state.waiting:
            _reached_jvm(state)
        open_step.begun = True
        open_step.token = BRIDGE.step_begin(name)
    else:
        _unsent[0] += 1
        state.waiting = True


def exit_step(error, tb=None):
    state = THREAD
    if not state.steps:
        return
    open_step = state.steps.pop()
    if open_step is None or not open_step.begun or not open_step.token or not BRIDGE.live:
        return
    error_type, error_message, stack = describe(error, tb)
    BRIDGE.step_end(open_step.token, error_type, error_message, stack)


def annotate(key, value):
    if BRIDGE.absent:
        return
    key, value = annotation_key(key), annotation_value(value)
    _send_or_hold(THREAD, lambda: BRIDGE.annotate(key, value))


def metadata(key, value):
    if BRIDGE.absent:
        return
    key, json_value = annotation_key(key), metadata_json(value)
    _send_or_hold(THREAD, lambda: BRIDGE.metadata(key, json_value))


def _send_or_hold(state, call):
    """Makes the call now when the JVM is reached, else holds it for the thread's first contact."""
    if BRIDGE.live:
        if state.waiting:
            _reached_jvm(state)
        call()
    else:
        _hold(state, call)


def action_begin(state, api_name, caller):
    """The token of a new action, 0 when nothing is traced; `caller` is the frame to look outwards from."""
    if not BRIDGE.live:
        return 0
    if state.waiting:
        _reached_jvm(state)
    file, line, stack = user_call_site(caller)
    return BRIDGE.action_begin(api_name, file, line, stack)


def action_end(token, error):
    error_type, error_message, stack = describe(error)
    BRIDGE.action_end(token, error_type, error_message, stack)


def report_unsent_at_exit():
    # Held steps and annotations that never met a SparkContext are the "no SparkContext" case.
    if _unsent[0] and not BRIDGE.live and not BRIDGE.absent:
        warn_once("off", "no SparkContext was started in this Python process, so %d xray_batch step(s) and "
                         "annotation(s) were not traced: they reach X-Ray through the Spark driver's JVM "
                         "and the xray-batch-agent" % _unsent[0])

