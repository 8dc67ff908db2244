"""Automatic action tracing against a fake PySpark: one user call is one action, and PySpark behaves as before."""

import inspect
import sys
import threading
import unittest

import support
from xray_batch import _actions, _bridge, _frames, _patching


class OneCallOneActionTest(support.FakePySparkCase):
    def test_the_outermost_call_is_the_one_action_named_by_the_method_the_user_called(self):
        df = self.spark().createDataFrame([(1,), (2,), (3,)])
        del self.recorder.calls[:]

        self.assertEqual((1,), df.first())  # first -> head -> take -> limit().collect()
        df.foreach(lambda row: None)  # foreach -> rdd -> RDD.foreach -> count -> sum -> fold -> collect

        self.assertEqual(["first", "foreach"], self.actions())
        self.assertEqual(["actionBegin", "actionEnd", "actionBegin", "actionEnd"],
                         [method for method, _args in self.calls("actionBegin", "actionEnd")])

    def test_rdd_actions_writers_readers_catalog_and_session_calls_are_actions(self):
        spark = self.spark()
        df = spark.createDataFrame([(1,), (2,)])
        df.rdd.count()
        df.write.mode("overwrite").parquet("/tmp/out")
        spark.read.parquet("/tmp/in")
        spark.sql("select 1")
        spark.table("t")
        spark.catalog.tableExists("t1")
        df.toPandas()
        spark.sparkContext.runJob(df.rdd, lambda it: it)

        self.assertEqual(["createDataFrame", "rdd", "count", "parquet", "parquet", "sql", "table", "tableExists",
                          "toPandas", "rdd", "runJob"], self.actions())

    def test_the_call_site_is_the_users_line_and_the_stack_holds_user_frames_only(self):
        df = self.spark().createDataFrame([(1,)])
        del self.recorder.calls[:]

        def helper():
            return df.first()  # the line the action is charged to

        helper()
        _name, file, line, stack = self.calls("actionBegin")[0][1]
        self.assertEqual(__file__, file)
        self.assertEqual(inspect.getsourcelines(helper)[1] + 1, line)
        frames = stack.split("\n")
        self.assertEqual("%s:%d:helper" % (__file__, line), frames[0])
        self.assertTrue(frames[1].startswith(__file__ + ":") and frames[1].endswith(":" + self._testMethodName))
        pyspark_folder = sys.modules["pyspark"].__file__.rsplit("/", 1)[0]
        self.assertFalse([frame for frame in frames if pyspark_folder in frame or "xray_batch" in frame])
        self.assertLessEqual(len(frames), _frames.MAX_CALL_STACK)

    def test_pysparks_own_call_site_still_names_the_users_line(self):
        # traceback_utils.first_spark_call() names the frame outside the first one in pyspark's folder:
        # the wrapper must not be that frame, or Spark's UI would show xray_batch's lines.
        rdd = self.spark().sparkContext.parallelize([1, 2])
        rdd.collect(); line = inspect.currentframe().f_lineno  # noqa: E702
        call_site = rdd.call_sites[-1]
        self.assertEqual(("collect", __file__, line), (call_site.function, call_site.file, call_site.linenum))

        from pyspark import SparkContext
        SparkContext._active_spark_context = None
        context = SparkContext(); line = inspect.currentframe().f_lineno  # noqa: E702
        self.assertEqual((__file__, line), (context._callsite.file, context._callsite.linenum))

    def test_an_exception_goes_on_unchanged_and_the_action_records_it(self):
        spark = self.spark()
        del self.recorder.calls[:]
        try:
            spark.sql("select * from missing")
            self.fail("sql did not raise")
        except LookupError as error:
            raised = error

        self.assertEqual("[TABLE_OR_VIEW_NOT_FOUND] missing", str(raised))
        # Raised where PySpark raised it: the innermost frame is still session.py's sql.
        innermost = raised.__traceback__
        while innermost.tb_next is not None:
            innermost = innermost.tb_next
        self.assertEqual("sql", innermost.tb_frame.f_code.co_name)
        token, error_type, message, stack = self.calls("actionEnd")[0][1]
        self.assertEqual(self.recorder.next_token, token)
        self.assertEqual("LookupError", error_type)
        self.assertEqual("[TABLE_OR_VIEW_NOT_FOUND] missing", message)
        self.assertTrue(stack.split("\n")[0].endswith("session.py:%d:sql" % innermost.tb_lineno), stack)
        self.assertNotIn("xray_batch", stack)

    def test_a_success_ends_with_no_error(self):
        self.spark().createDataFrame([(1,)]).count()
        self.assertEqual((self.recorder.next_token, None, None, None), self.calls("actionEnd")[-1][1])

    def test_return_values_and_iterators_come_back_as_they_are(self):
        df = self.spark().createDataFrame([(1,), (2,)])
        iterator = df.toLocalIterator()
        self.assertEqual([(1,), (2,)], list(iterator))
        self.assertEqual("list_iterator", type(df.toLocalIterator()).__name__)
        self.assertEqual(2, df.rdd.count())

    def test_each_thread_has_its_own_depth(self):
        df = self.spark().createDataFrame([(1,)])
        del self.recorder.calls[:]
        started, release = threading.Event(), threading.Event()

        def slow(row):
            started.set()
            release.wait(5)

        worker = threading.Thread(target=df.foreach, args=(slow,), name="other")
        worker.start()
        started.wait(5)
        df.count()  # while the other thread is inside foreach
        release.set()
        worker.join(5)

        begun = [(args[0], thread) for method, args, thread in self.recorder.calls if method == "actionBegin"]
        self.assertEqual([("foreach", "other"), ("count", threading.current_thread().name)], begun)


class FromAZipTest(OneCallOneActionTest):
    """The same, with PySpark imported from a zip (zipimport: load_module before Python 3.10)."""

    zipped = True

    def test_pyspark_came_from_the_zip(self):
        from pyspark.sql import DataFrame

        self.assertIn("pyspark.zip", sys.modules["pyspark.sql.dataframe"].__file__)
        self.assertTrue(_actions.is_traced(DataFrame.first))


class WrappersKeepPySparksFaceTest(support.FakePySparkCase):
    def test_name_docstring_signature_and_kind_are_kept(self):
        from pyspark.rdd import RDD
        from pyspark.sql import DataFrame, SparkSession

        self.assertEqual("first", DataFrame.first.__name__)
        self.assertEqual("DataFrame.first", DataFrame.first.__qualname__)
        self.assertEqual("Returns the first row as a Row.", DataFrame.first.__doc__)
        self.assertEqual("(self, n=None)", str(inspect.signature(DataFrame.head)))
        self.assertEqual("(self, sqlQuery, args=None, **kwargs)", str(inspect.signature(SparkSession.sql)))
        self.assertIsInstance(DataFrame.__dict__["rdd"], property)
        self.assertEqual("Returns the content as an RDD of Row.", DataFrame.rdd.__doc__)
        self.assertIsInstance(RDD.__dict__["_computeFractionForSampleSize"], staticmethod)
        self.assertTrue(_actions.is_traced(DataFrame.first))
        self.assertFalse(_actions.is_traced(DataFrame.select))  # builds a plan: not an action

    def test_private_catalog_methods_and_spark_connect_are_left_alone(self):
        from pyspark.sql.catalog import Catalog
        from pyspark.sql.connect.dataframe import DataFrame as ConnectDataFrame

        self.assertTrue(_actions.is_traced(Catalog.listTables))
        self.assertFalse(_actions.is_traced(Catalog._internal))
        self.assertFalse(_actions.is_traced(Catalog.currentDatabase))  # the session's own state: no catalog call
        self.assertFalse(_actions.is_traced(ConnectDataFrame.count))

    def test_generator_functions_are_not_wrapped(self):
        class Lazy:
            def rows(self):
                yield 1

            def count(self):
                return 1

        _patching._wrap_class(Lazy, ("rows", "count"))
        self.assertFalse(_actions.is_traced(Lazy.rows))
        self.assertTrue(inspect.isgeneratorfunction(Lazy.rows))
        self.assertTrue(_actions.is_traced(Lazy.count))

    def test_patching_twice_wraps_once(self):
        from pyspark.sql import DataFrame

        first = DataFrame.first
        _patching.install()
        for name in ("pyspark.sql.dataframe", "pyspark.rdd"):
            _patching.patch_module(name, sys.modules[name])
        self.assertIs(first, DataFrame.first)
        self.assertFalse(_actions.is_traced(DataFrame.first.__wrapped__))
        self.assertEqual(1, sum(1 for finder in sys.meta_path if getattr(finder, "_xray_batch_finder", False)))

    def test_a_module_imported_before_xray_batch_is_patched_at_install(self):
        support.forget_pyspark()
        for finder in [f for f in sys.meta_path if getattr(f, "_xray_batch_finder", False)]:
            sys.meta_path.remove(finder)
        import pyspark.sql  # noqa: F401
        from pyspark.sql import DataFrame

        self.assertFalse(_actions.is_traced(DataFrame.first))
        _patching.install()
        self.assertTrue(_actions.is_traced(DataFrame.first))

    def test_the_module_record_shows_the_real_loader_after_import(self):
        import pyspark.sql.dataframe as module

        self.assertNotIn("Patching", type(module.__loader__).__name__)
        self.assertIs(module.__loader__, module.__spec__.loader)


class SparkFourLayoutTest(support.FakePySparkCase):
    layout = "4"

    def test_classic_and_core_classes_are_patched_and_the_shared_parent_is_not(self):
        import pyspark
        import pyspark.sql.dataframe as parent
        from pyspark.sql.classic.dataframe import DataFrame
        from pyspark.sql.merge import MergeIntoWriter

        self.assertEqual("4.0.1", pyspark.__version__)
        self.assertIs(sys.modules["pyspark.rdd"], sys.modules["pyspark.core.rdd"])
        self.assertTrue(_actions.is_traced(DataFrame.first))
        self.assertTrue(_actions.is_traced(sys.modules["pyspark.core.rdd"].RDD.count))
        self.assertTrue(_actions.is_traced(MergeIntoWriter.merge))
        self.assertFalse(_actions.is_traced(parent.DataFrame.count))

    def test_one_action_per_call_and_the_gateway_is_found_through_core_context(self):
        spark = self.spark()
        df = spark.createDataFrame([(1,), (2,)])
        df.first()
        df.toPandas()  # classic's toPandas calls the mixin's
        df.foreach(lambda row: None)

        self.assertEqual(1, len(self.calls("pythonConnected")))
        self.assertEqual(("4.0.1",), self.calls("pythonConnected")[0][1][2:])
        self.assertEqual(["createDataFrame", "first", "toPandas", "foreach"], self.actions())


class NoAgentTest(support.FakePySparkCase):
    agent = "absent"

    def test_every_call_is_a_no_op_and_one_line_says_what_to_do(self):
        import xray_batch

        spark = self.spark()
        df = spark.createDataFrame([(1,), (2,)])
        with xray_batch.step("s"):
            self.assertEqual((1,), df.first())
            xray_batch.annotate("k", 1)
        self.assertIsNone(xray_batch.trace_id())

        self.assertEqual([], self.calls())  # the bridge class is not there: py4j finds only a package
        self.assertTrue(_bridge.BRIDGE.absent)
        self.assertEqual(1, len(self.warnings()), self.stderr.getvalue())
        self.assertIn("not active in this Spark driver's JVM", self.warnings()[0])
        self.assertIn("-javaagent:", self.warnings()[0])
        self.assertIn("spark.plugins=dev.xraybatch.agent.spark.XRaySparkPlugin", self.warnings()[0])

    def test_the_wrapper_then_calls_pyspark_directly(self):
        from pyspark.sql import DataFrame

        df = self.spark().createDataFrame([(1,)])
        self.assertTrue(_bridge.BRIDGE.absent)
        original = DataFrame.count.__wrapped__
        seen = []
        _actions.run_action, saved = (lambda *a: seen.append(a)), _actions.run_action
        try:
            self.assertEqual(1, df.count())
        finally:
            _actions.run_action = saved
        self.assertEqual([], seen)
        self.assertIs(original, DataFrame.count.__wrapped__)


class BrokenConnectionTest(support.FakePySparkCase):
    agent = "broken"

    def test_a_lost_jvm_turns_tracing_off_with_one_line_and_the_job_goes_on(self):
        df = self.spark().createDataFrame([(1,), (2,)])
        self.assertEqual(2, df.count())
        self.assertEqual((1,), df.first())
        self.assertTrue(_bridge.BRIDGE.absent)
        self.assertEqual(1, len(self.warnings()), self.stderr.getvalue())
        self.assertIn("lost the connection", self.warnings()[0])


if __name__ == "__main__":
    unittest.main()
