"""Finding the agent's bridge on PySpark's gateway: when, how often, and what happens when it is not there."""

import threading
import time
import unittest

import support
from xray_batch import _bridge


class BridgeFoundTest(support.FakePySparkCase):
    def test_python_connected_once_when_the_gateway_appears_before_the_java_spark_context(self):
        from pyspark import SparkContext
        import fake_jvm

        before = time.time()
        SparkContext._ensure_initialized()  # what pyspark.shell and SparkConf do first
        self.assertTrue(_bridge.BRIDGE.live)
        self.assertFalse(fake_jvm._State.context_created)  # before the JavaSparkContext
        self.spark().createDataFrame([(1,)]).count()
        SparkContext._ensure_initialized()

        connected = [(args, thread) for method, args, thread in self.recorder.calls if method == "pythonConnected"]
        self.assertEqual(1, len(connected))
        (started, python, pyspark), thread = connected[0]
        self.assertIsInstance(started, float)
        self.assertLessEqual(started, before)
        self.assertGreater(started, before - 24 * 3600)
        self.assertRegex(python, r"^3\.\d+\.\d+$")
        self.assertEqual("3.5.2", pyspark)
        self.assertEqual(threading.current_thread().name, thread)

    def test_members_are_looked_up_once_and_the_trace_id_is_asked_once(self):
        import xray_batch

        df = self.spark().createDataFrame([(1,)])
        lookups = self.recorder.member_lookups
        for _ in range(5):
            df.count()
            xray_batch.annotate("k", "v")
        self.assertEqual("1-00000000-fake00000000000000000000", xray_batch.trace_id())
        self.assertEqual("1-00000000-fake00000000000000000000", xray_batch.trace_id())

        self.assertEqual(10, lookups)  # protocolVersion and the nine calls of the contract
        self.assertEqual(lookups, self.recorder.member_lookups)
        self.assertEqual(1, len(self.calls("traceId")))

    def test_calls_skip_py4js_input_converters(self):
        self.spark()
        # Our arguments are plain values: asking py4j's converters about each one costs ~10 us apiece.
        self.assertIsNone(_bridge.BRIDGE._begin_action.converters)
        self.assertIsNone(_bridge.BRIDGE._annotate.converters)

    def test_xray_batch_imported_after_spark_started_connects_at_once(self):
        support.forget_pyspark()
        for finder in [f for f in support.sys.meta_path if getattr(f, "_xray_batch_finder", False)]:
            support.sys.meta_path.remove(finder)
        spark = self.spark()  # PySpark started without xray_batch's hooks
        self.assertFalse(_bridge.BRIDGE.live)

        support._patching.install()  # what `import xray_batch` does
        self.assertTrue(_bridge.BRIDGE.live)
        spark.createDataFrame([(1,)]).count()
        self.assertEqual(1, len(self.calls("pythonConnected")))
        self.assertEqual(["createDataFrame", "count"], self.actions())


class AgentInstalledWithTheContextTest(support.FakePySparkCase):
    """Glue: the agent installs itself from a Spark plugin, when the JVM SparkContext is created."""

    agent = "late"

    def test_the_bridge_is_probed_again_once_the_context_exists_and_no_warning_is_printed(self):
        import xray_batch

        with xray_batch.step("load"):
            spark = self.spark()
            spark.createDataFrame([(1,)]).count()

        self.assertTrue(_bridge.BRIDGE.live)
        self.assertEqual([], self.warnings())
        self.assertEqual(1, len(self.calls("protocolVersion")))  # the first probe found only a package
        self.assertEqual(["pythonConnected", "stepBegin", "actionBegin", "actionEnd", "actionBegin", "actionEnd",
                          "stepEnd"], [method for method, _args in self.calls() if method != "protocolVersion"])


class OtherProtocolTest(support.FakePySparkCase):
    agent = "protocol2"

    def test_an_agent_speaking_another_protocol_is_not_used_and_one_line_says_why(self):
        self.spark().createDataFrame([(1,)]).count()
        self.assertTrue(_bridge.BRIDGE.absent)
        self.assertEqual([], [call for call in self.calls() if call[0] != "protocolVersion"])
        self.assertEqual(1, len(self.warnings()))
        self.assertIn("protocol 2", self.warnings()[0])
        self.assertIn("speaks 1", self.warnings()[0])


class IntervalTest(unittest.TestCase):
    def test_interpreter_start_is_before_this_module_was_imported(self):
        started = _bridge.interpreter_started_at()
        self.assertLessEqual(started, _bridge.IMPORTED_AT)
        self.assertLess(_bridge.IMPORTED_AT - started, 600)  # this test process is not that old

    def test_python_workers_are_recognised_by_sparks_worker_secret(self):
        result = support.run_python(
            "import sys, xray_batch; from xray_batch import _bridge;"
            "print(_bridge.BRIDGE.absent, any(getattr(f, '_xray_batch_finder', False) for f in sys.meta_path),"
            " getattr(sys.excepthook, '_xray_batch_excepthook', False))",
            env={"PYTHONPATH": support.SOURCE, "PYTHON_WORKER_FACTORY_SECRET": "s"})
        self.assertEqual("True False False", result.stdout.strip(), result.stderr)
        self.assertEqual("", result.stderr)


if __name__ == "__main__":
    unittest.main()
