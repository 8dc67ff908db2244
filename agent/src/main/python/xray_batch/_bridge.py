"""The JVM end: dev.xraybatch.agent.bootstrap.PythonBridge, reached through PySpark's py4j gateway.

Everything else in this package talks to the JVM only through BRIDGE. It is found once per gateway, its
py4j members are cached (every py4j attribute access is a round trip), and no call through it can raise.
"""

import os
import sys
import threading
import time

# Taken at import: on the spark-submit route sitecustomize imports this package as the interpreter starts.
IMPORTED_AT = time.time()

PROTOCOL_VERSION = "1"
_CLASS_PATH = ("dev", "xraybatch", "agent", "bootstrap", "PythonBridge")

_warned = set()


def warn_once(topic, message):
    """One line on stderr per topic and process; the topic 'off' is every reason tracing is off."""
    if topic in _warned:
        return
    _warned.add(topic)
    try:
        sys.stderr.write("[xray-batch] %s\n" % message)
        sys.stderr.flush()
    except Exception:
        pass


def is_python_worker():
    """Spark sets this secret for the daemon and workers it starts on executors, never for a driver."""
    return "PYTHON_WORKER_FACTORY_SECRET" in os.environ


def interpreter_started_at():
    """Epoch seconds the interpreter started: the process start time on Linux, else this module's import."""
    try:
        with open("/proc/self/stat") as stat_file:
            stat = stat_file.read()
        # Field 22 (start time, clock ticks since boot); the command name before it may hold spaces.
        start_ticks = int(stat[stat.rindex(")") + 2:].split()[19])
        since_boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        started = time.time() - (since_boot - start_ticks / os.sysconf("SC_CLK_TCK"))
        if started <= IMPORTED_AT + 1:
            return min(started, IMPORTED_AT)
    except Exception:
        pass
    return IMPORTED_AT


class Bridge:
    """State: unknown (no gateway yet), live (the agent answered), absent (no-op for the rest of the process).

    `live` and `absent` are plain attributes because every wrapped PySpark call reads one of them.
    """

    def __init__(self):
        self.live = False
        self.absent = False
        self._turned_off = False
        self._gateway = None
        self._probed_without_agent = None
        self._trace_id = None
        self._lock = threading.Lock()
        self._begin_action = self._end_action = None
        self._begin_step = self._end_step = None
        self._annotate = self._metadata = self._trace_id_member = self._program_failed = None
        self._connected = None

    def turn_off(self):
        """For Python workers: they never reach a driver's JVM, so they stay silent no-ops."""
        self._turned_off = True
        self.live = False
        self.absent = True

    def gateway_seen(self, gateway, jvm, context_ready):
        """Called when PySpark has a gateway; returns True when this call made the bridge live.

        The agent can appear only once the JVM SparkContext exists (Glue installs it from a Spark
        plugin), so a gateway without the agent is probed again when the context is ready, and only
        then is the agent declared absent.
        """
        if self._turned_off or gateway is None or jvm is None or (self.absent and gateway is self._gateway):
            return False
        with self._lock:
            if gateway is self._gateway and (self.live or self.absent):
                return False
            if gateway is self._probed_without_agent and not context_ready:
                return False
            members, problem = _resolve(jvm)
            if members is None:
                self._probed_without_agent = gateway
                if context_ready:
                    self._gateway = gateway
                    self.live = False
                    self.absent = True
                    warn_once("off", problem)
                return False
            self._use(members)
            self._gateway = gateway
            self._trace_id = None
            self.absent = False
            # pythonConnected first: no other thread's call may reach the JVM before it.
            self._call(self._connected, interpreter_started_at(), _python_version(), _pyspark_version())
            self.live = not self.absent
        return self.live

    def _use(self, members):
        self._connected = members["pythonConnected"]
        self._begin_action = members["actionBegin"]
        self._end_action = members["actionEnd"]
        self._begin_step = members["stepBegin"]
        self._end_step = members["stepEnd"]
        self._annotate = members["annotate"]
        self._metadata = members["metadata"]
        self._trace_id_member = members["traceId"]
        self._program_failed = members["programFailed"]

    def _call(self, member, *args):
        try:
            return member(*args)
        except Exception as error:
            self._failed(error)
            return None

    def _failed(self, error):
        # The contract says the bridge never throws, so a failure is the connection: stop for good
        # rather than pay a failing round trip on every later PySpark call.
        if _is_connection_error(error):
            self.live = False
            self.absent = True
            warn_once("off", "lost the connection to the Spark driver's JVM (%s: %s); tracing from Python "
                             "stops here, the job goes on" % (type(error).__name__, _first_line(error)))

    def action_begin(self, api_name, file, line, stack):
        return self._call(self._begin_action, api_name, file, line, stack) or 0

    def action_end(self, token, error_type, error_message, stack):
        self._call(self._end_action, token, error_type, error_message, stack)

    def step_begin(self, name):
        return self._call(self._begin_step, name) or 0

    def step_end(self, token, error_type, error_message, stack):
        self._call(self._end_step, token, error_type, error_message, stack)

    def annotate(self, key, value):
        self._call(self._annotate, key, value)

    def metadata(self, key, json_value):
        self._call(self._metadata, key, json_value)

    def program_failed(self, error_type, error_message, stack):
        self._call(self._program_failed, error_type, error_message, stack)

    def trace_id(self):
        if self._trace_id is None and self.live:
            self._trace_id = self._call(self._trace_id_member)
        return self._trace_id if self.live else None


def _resolve(jvm):
    """(members by name, None) when the agent answers protocol 1, else (None, what to tell the user)."""
    try:
        bridge_class = jvm
        for part in _CLASS_PATH:
            bridge_class = getattr(bridge_class, part)
        # An absent class resolves to a py4j JavaPackage, and calling that raises.
        version = bridge_class.protocolVersion()
    except Exception:
        version = None
    if version is None:
        return None, ("the xray-batch-agent is not active in this Spark driver's JVM: Python steps, "
                      "annotations and actions are not traced. Start the driver with the agent "
                      "(spark-submit: --conf spark.driver.extraJavaOptions="
                      "-javaagent:/path/xray-batch-agent.jar; "
                      "Glue: --extra-jars with the jar and --conf spark.plugins="
                      "dev.xraybatch.agent.spark.XRaySparkPlugin)")
    if str(version) != PROTOCOL_VERSION:
        return None, ("the xray-batch-agent in this JVM speaks Python bridge protocol %s, this xray_batch "
                      "module speaks %s: take xray_batch from the same agent jar (--py-files / "
                      "--extra-py-files naming the jar given to -javaagent or --extra-jars); Python steps, "
                      "annotations and actions are not traced" % (version, PROTOCOL_VERSION))
    try:
        names = ("pythonConnected", "actionBegin", "actionEnd", "stepBegin", "stepEnd", "annotate",
                 "metadata", "traceId", "programFailed")
        members = {name: getattr(bridge_class, name) for name in names}
    except Exception as error:
        return None, ("the xray-batch-agent's Python bridge is incomplete (%s); Python steps, annotations "
                      "and actions are not traced" % _first_line(error))
    for member in members.values():
        _skip_converters(member)
    return members, None


def _skip_converters(member):
    """Our arguments are only str, int, float, bool and None, which py4j sends as they are; but before sending
    py4j asks each of its input converters about each argument (its list and map converters call
    inspect.getattr_static), ~10 us per argument. Without converters a traced action costs ~60 us less."""
    try:
        if getattr(member, "converters", None):
            member.converters = None
    except Exception:
        pass


def _is_connection_error(error):
    if isinstance(error, OSError):
        return True
    network_error = getattr(sys.modules.get("py4j.protocol"), "Py4JNetworkError", None)
    return network_error is not None and isinstance(error, network_error)


def _first_line(error):
    try:
        return str(error).strip().splitlines()[0][:200]
    except Exception:
        return type(error).__name__


def _python_version():
    return "%d.%d.%d" % sys.version_info[:3]


def _pyspark_version():
    pyspark = sys.modules.get("pyspark")
    version = getattr(pyspark, "__version__", None)
    if version is None:
        version = getattr(sys.modules.get("pyspark.version"), "__version__", None)
    return str(version) if version is not None else None


BRIDGE = Bridge()
