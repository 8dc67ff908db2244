"""A py4j gateway stand-in that records what xray_batch sends to the agent's PythonBridge.

It behaves as py4j does where xray_batch depends on it: any unknown dotted name resolves to a package,
calling a package raises, each attribute access on the bridge class is a (counted) member lookup.
The fake PySpark trees under fakes/ launch it from their java_gateway.launch_gateway().

Which agent the JVM has comes from configure() or, in a child process, the FAKE_AGENT variable:
  present   the bridge answers protocol "1"
  absent    no bridge class (the JVM without the agent)
  late      the bridge appears once a JavaSparkContext exists (Glue: the agent installs from a plugin)
  protocol2 the bridge answers "2"
  broken    every call after protocolVersion raises ConnectionRefusedError (the JVM went away)
FAKE_AGENT_LOG names a file that gets one JSON line per call, for child processes.
"""

import json
import os
import threading

BRIDGE_CLASS = "dev.xraybatch.agent.bootstrap.PythonBridge"


class Py4JError(Exception):
    pass


class _Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = []
        self.member_lookups = 0
        self.next_token = 0

    def record(self, method, args):
        with self.lock:
            entry = (method, args, threading.current_thread().name)
            self.calls.append(entry)
            log = os.environ.get("FAKE_AGENT_LOG")
            if log:
                with open(log, "a") as out:
                    out.write(json.dumps({"method": method, "args": list(args), "thread": entry[2]}) + "\n")
            if method in ("actionBegin", "stepBegin"):
                self.next_token += 1
                return self.next_token
        return None


class _State:
    agent = os.environ.get("FAKE_AGENT", "present")
    context_created = False
    recorder = _Recorder()


def configure(agent="present"):
    _State.agent = agent
    _State.context_created = False
    _State.recorder = _Recorder()
    return _State.recorder


def recorder():
    return _State.recorder


def context_created():
    """Called by the fake SparkContext when it makes its JavaSparkContext."""
    _State.context_created = True


def _agent_visible():
    if _State.agent == "absent":
        return False
    if _State.agent == "late":
        return _State.context_created
    return True


class _Member:
    def __init__(self, name):
        self._name = name
        self.converters = ["py4j's input converters"]  # as a py4j JavaMember has

    def __call__(self, *args):
        if self._name == "protocolVersion":
            _State.recorder.record("protocolVersion", args)
            return "2" if _State.agent == "protocol2" else "1"
        if _State.agent == "broken":
            raise ConnectionRefusedError("[Errno 111] Connection refused")
        answer = _State.recorder.record(self._name, args)
        if self._name == "traceId":
            return "1-00000000-fake00000000000000000000"
        return answer


class _BridgeClass:
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        _State.recorder.member_lookups += 1
        return _Member(name)


class _JavaPackage:
    def __init__(self, fqn):
        self._fqn = fqn

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        fqn = self._fqn + "." + name
        if fqn == BRIDGE_CLASS and _agent_visible():
            return _BridgeClass()
        return _JavaPackage(fqn)

    def __call__(self, *args):
        raise Py4JError("Trying to call a package.")


class FakeJvm:
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _JavaPackage(name)


class FakeGateway:
    def __init__(self):
        self.jvm = FakeJvm()
