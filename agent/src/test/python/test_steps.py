"""Steps, annotations and metadata: what reaches the bridge, in which order, from which thread."""

import threading
import unittest

import support
import xray_batch
from xray_batch import _context


class StepTest(support.FakePySparkCase):
    def setUp(self):
        super().setUp()
        self.df = self.spark().createDataFrame([(1,), (2,)])
        del self.recorder.calls[:]
        self.recorder.next_token = 0

    def test_a_with_block_is_a_step_holding_the_actions_inside_it(self):
        with xray_batch.step("add_unique_ids"):
            self.df.count()
            with xray_batch.step("inner"):
                self.df.first()

        self.assertEqual([("stepBegin", ("add_unique_ids",)), ("actionBegin", "count"), ("actionEnd", None),
                          ("stepBegin", ("inner",)), ("actionBegin", "first"), ("actionEnd", None),
                          ("stepEnd", (3, None, None, None)), ("stepEnd", (1, None, None, None))],
                         [(m, a[0] if m == "actionBegin" else (a[1] if m == "actionEnd" else a))
                          for m, a in self.calls()])

    def test_an_exception_is_recorded_and_goes_on_unchanged(self):
        error = KeyError("no such column")
        try:
            with xray_batch.step("sort"):
                raise error
        except KeyError as raised:
            self.assertIs(error, raised)
        else:
            self.fail("the step swallowed the exception")

        token, error_type, message, stack = self.calls("stepEnd")[0][1]
        self.assertEqual(("KeyError", "'no such column'"), (error_type, message))
        self.assertTrue(stack.startswith(__file__ + ":"), stack)
        self.assertTrue(stack.endswith(":" + self._testMethodName), stack)

    def test_sys_exit_zero_inside_a_step_is_not_an_error(self):
        with self.assertRaises(SystemExit):
            with xray_batch.step("last"):
                raise SystemExit(0)
        self.assertEqual((1, None, None, None), self.calls("stepEnd")[0][1])

    def test_decorator_forms(self):
        @xray_batch.step("named")
        def first(x):
            return x + 1

        @xray_batch.step
        def load_input():
            """Loads."""
            return "bare"

        @xray_batch.step()
        def transform():
            return "empty"

        self.assertEqual((2, "bare", "empty"), (first(1), load_input(), transform()))
        self.assertEqual(["named", "load_input", "transform"], [a[0] for _m, a in self.calls("stepBegin")])
        self.assertEqual(("load_input", "Loads."), (load_input.__name__, load_input.__doc__))

    def test_a_decorated_function_that_raises_records_it(self):
        @xray_batch.step
        def broken():
            raise ValueError("bad input")

        with self.assertRaises(ValueError):
            broken()
        self.assertEqual(("ValueError", "bad input"), self.calls("stepEnd")[0][1][1:3])

    def test_generator_functions_are_left_undecorated_with_one_line(self):
        def rows():
            yield 1

        self.assertIs(rows, xray_batch.step("rows")(rows))
        self.assertEqual([], self.calls())
        self.assertEqual(1, len(self.warnings()))
        self.assertIn("generator", self.warnings()[0])

    def test_one_step_object_can_be_entered_by_two_threads_at_once(self):
        shared = xray_batch.step("shared")
        inside, release = threading.Event(), threading.Event()

        def other():
            with shared:
                inside.set()
                release.wait(5)

        thread = threading.Thread(target=other, name="other")
        thread.start()
        inside.wait(5)
        with shared:
            pass
        release.set()
        thread.join(5)

        # Tokens are handed out in the order of the begin calls: each thread ends the step it began.
        begun, ended, token = {}, {}, 0
        for method, args, name in self.recorder.calls:
            if method in ("stepBegin", "actionBegin"):
                token += 1
                begun[name] = token
            elif method == "stepEnd":
                ended[name] = args[0]
        self.assertEqual({"other", threading.current_thread().name}, set(ended))
        self.assertEqual(begun, ended)

    def test_hostile_objects_never_raise_into_the_job(self):
        class Unprintable:
            def __str__(self):
                raise ValueError("no text for you")

            __repr__ = __str__

        class HostileFunction:
            """A callable whose attributes raise when read (as functools.wraps reads them)."""

            def __call__(self):
                return "called"

            def __getattr__(self, attribute):
                raise RuntimeError("no " + attribute)

        with xray_batch.step(Unprintable()):
            self.df.count()
        decorated = xray_batch.step(Unprintable())(lambda: "ran")
        hostile = HostileFunction()
        self.assertEqual("ran", decorated())
        self.assertEqual("called", xray_batch.step(hostile)())
        self.assertEqual("called", xray_batch.step("named")(hostile)())
        xray_batch.annotate(Unprintable(), Unprintable())
        xray_batch.metadata(Unprintable(), {"x": Unprintable()})
        xray_batch.trace_id()

        self.assertEqual(["step (unprintable name)", "step (unprintable name)"],
                         [a[0] for _m, a in self.calls("stepBegin")][:2])
        self.assertEqual(1, len([w for w in self.warnings() if "could not be turned into text" in w]),
                         self.warnings())

    def test_annotations_and_metadata_go_to_the_bridge_converted(self):
        class Level:
            def __str__(self):
                return "high"

        xray_batch.annotate("rows", 2000)
        xray_batch.annotate("ratio", 0.5)
        xray_batch.annotate("ok", True)
        xray_batch.annotate("level", Level())
        xray_batch.metadata("config", {"paths": ["a", "b"], "level": Level()})

        self.assertEqual([("annotate", ("rows", 2000)), ("annotate", ("ratio", 0.5)), ("annotate", ("ok", True)),
                          ("annotate", ("level", "high")),
                          ("metadata", ("config", '{"paths": ["a", "b"], "level": "high"}'))], self.calls())


class BeforeSparkTest(support.FakePySparkCase):
    def test_a_step_entered_before_the_spark_context_begins_when_the_gateway_appears(self):
        xray_batch.annotate("input", "s3://bucket/in")  # outside any step, before Spark
        with xray_batch.step("setup"):
            xray_batch.metadata("conf", {"a": 1})
            self.assertIsNone(xray_batch.trace_id())
            spark = self.spark()  # the gateway: the held step begins now
            spark.range(0, 3).count()

        self.assertEqual(["pythonConnected", ("annotate", "input"), ("stepBegin", "setup"), ("metadata", "conf"),
                          ("actionBegin", "count"), "actionEnd", "stepEnd"],
                         [m if m in ("pythonConnected", "actionEnd", "stepEnd") else (m, a[0])
                          for m, a in self.calls() if m != "protocolVersion"])

    def test_a_step_that_ends_before_spark_never_reached_the_jvm_and_is_dropped(self):
        with xray_batch.step("config only"):
            xray_batch.annotate("inside", 1)
        xray_batch.annotate("outside", 2)
        self.spark()

        self.assertEqual([("annotate", ("outside", 2))], self.calls("annotate", "stepBegin", "stepEnd"))

    def test_another_threads_held_step_begins_at_that_threads_first_contact(self):
        entered, spark_ready, done = threading.Event(), threading.Event(), threading.Event()
        holder = {}

        def worker():
            with xray_batch.step("worker step"):
                entered.set()
                spark_ready.wait(5)
                holder["df"].count()
            done.set()

        thread = threading.Thread(target=worker, name="worker")
        thread.start()
        entered.wait(5)
        holder["df"] = self.spark().createDataFrame([(1,)])  # the main thread brings the gateway
        spark_ready.set()
        done.wait(5)
        thread.join(5)

        worker_calls = [(m, a[0]) for m, a, name in self.recorder.calls if name == "worker"]
        self.assertEqual([("stepBegin", "worker step"), ("actionBegin", "count"), ("actionEnd", 3),
                          ("stepEnd", 2)], worker_calls)

    def test_held_annotations_are_bounded(self):
        for index in range(_context.MAX_HELD + 50):
            xray_batch.annotate("k%d" % index, index)
        self.spark()
        self.assertEqual(_context.MAX_HELD, len(self.calls("annotate")))

    def test_a_process_that_never_starts_spark_says_so_once_at_exit(self):
        result = support.run_python(
            "import xray_batch\n"
            "with xray_batch.step('s'):\n"
            "    xray_batch.annotate('k', 1)\n"
            "print(xray_batch.trace_id())\n",
            env={"PYTHONPATH": support.SOURCE})
        self.assertEqual("None", result.stdout.strip())
        lines = support.warning_lines(result.stderr)
        self.assertEqual(1, len(lines), result.stderr)
        self.assertIn("no SparkContext was started", lines[0])

    def test_importing_without_using_the_api_prints_nothing(self):
        result = support.run_python("import xray_batch", env={"PYTHONPATH": support.SOURCE})
        self.assertEqual(("", 0), (result.stderr, result.returncode))


class NoAgentStepTest(support.FakePySparkCase):
    agent = "absent"

    def test_steps_annotations_and_metadata_are_no_ops(self):
        self.spark()
        with xray_batch.step("s"):
            xray_batch.annotate("k", 1)
            xray_batch.metadata("m", {"a": 1})
        self.assertEqual([], self.calls())
        self.assertEqual(1, len(self.warnings()))


if __name__ == "__main__":
    unittest.main()
