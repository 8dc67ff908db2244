"""Runs a job with a bridge that records in Python, on real PySpark and its real gateway: what the agent would
be told. Usage: python3 recording_bridge.py <calls.json> <job.py> [job args]."""

import atexit
import json
import runpy
import sys
import threading

import xray_batch  # noqa: F401  (turns tracing on, as the job's own import would)
from xray_batch import _bridge

calls = []
tokens = iter(range(1, 1000000))


def _member(name):
    def record(*args):
        calls.append({"method": name, "args": list(args), "thread": threading.current_thread().name})
        if name in ("actionBegin", "stepBegin"):
            return next(tokens)
        if name == "traceId":
            return "1-00000000-recorded0000000000000000"
        return None

    return record


def _resolve(jvm):
    names = ("pythonConnected", "actionBegin", "actionEnd", "stepBegin", "stepEnd", "annotate", "metadata",
             "traceId", "programFailed")
    return {name: _member(name) for name in names}, None


_bridge._resolve = _resolve


_output = sys.argv[1]


@atexit.register
def _write():
    with open(_output, "w") as out:
        json.dump(calls, out)


sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
