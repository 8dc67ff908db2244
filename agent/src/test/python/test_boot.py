"""The jar's sitecustomize.py and zipimport, in child interpreters started as PythonRunner starts a driver:
PYTHONPATH=<jar>[:more]."""

import json
import os
import tempfile
import unittest

import support

DEBIAN_PYTHON = "/usr/bin/python3.11"
DEBIAN_SITECUSTOMIZE = "/usr/lib/python3.11/sitecustomize.py"
BUILT_JAR = os.path.normpath(os.path.join(support.SOURCE, "..", "..", "..", "target", "xray-batch-agent.jar"))

_REPORT = (
    "import json, sys\n"
    "site = sys.modules.get('sitecustomize')\n"
    "hook = sys.excepthook\n"
    "print(json.dumps({\n"
    "    'xray_batch': getattr(sys.modules.get('xray_batch'), '__file__', None),\n"
    "    'user_site_ran': getattr(sys, 'user_site_ran', False),\n"
    "    'sitecustomize': getattr(site, '__file__', None),\n"
    "    'jar_on_path': any(p.endswith('agent.jar') for p in sys.path),\n"
    "    'finder': any(getattr(f, '_xray_batch_finder', False) for f in sys.meta_path),\n"
    "    'hook_ours': getattr(hook, '_xray_batch_excepthook', False),\n"
    "    'hook_previous': getattr(getattr(hook, 'previous', None), '__name__', None),\n"
    "}))\n"
)

_USER_SITECUSTOMIZE = (
    "import sys\n"
    "sys.user_site_ran = True\n"
    "def user_hook(t, e, tb):\n"
    "    sys.__excepthook__(t, e, tb)\n"
    "sys.excepthook = user_hook  # replaces, as Debian's apport hook does\n"
)


class BootTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        self.jar = support.make_zip(os.path.join(self._tmp.name, "agent.jar"))
        self.user_site = os.path.join(self._tmp.name, "user-site")
        os.mkdir(self.user_site)
        self.write_user_sitecustomize(_USER_SITECUSTOMIZE)

    def write_user_sitecustomize(self, text):
        with open(os.path.join(self.user_site, "sitecustomize.py"), "w") as out:
            out.write(text)

    def run_driver(self, code=_REPORT, jar=None, extra_path=(), driver=True, worker=False, python=None):
        jar = jar or self.jar
        env = {"PYTHONPATH": os.pathsep.join([jar] + list(extra_path))}
        if driver:
            env["PYSPARK_GATEWAY_PORT"] = "40000"
        if worker:
            env["PYTHON_WORKER_FACTORY_SECRET"] = "secret"
        return support.run_python(code, env=env, python=python)

    def report(self, result):
        self.assertEqual(0, result.returncode, result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def test_a_driver_imports_xray_batch_from_the_jar_and_runs_the_users_sitecustomize(self):
        result = self.run_driver(extra_path=[self.user_site])
        report = self.report(result)

        self.assertEqual(os.path.join(self.jar, "xray_batch", "__init__.py"), report["xray_batch"])
        self.assertTrue(report["user_site_ran"])
        self.assertEqual(os.path.join(self.user_site, "sitecustomize.py"), report["sitecustomize"])
        self.assertTrue(report["jar_on_path"])
        self.assertTrue(report["finder"])
        # The user's sitecustomize replaced sys.excepthook: ours is chained in front of it again.
        self.assertTrue(report["hook_ours"])
        self.assertEqual("user_hook", report["hook_previous"])
        self.assertEqual("", result.stderr)

    def test_a_python_worker_does_nothing_but_still_runs_the_next_sitecustomize(self):
        report = self.report(self.run_driver(extra_path=[self.user_site], worker=True))
        self.assertIsNone(report["xray_batch"])
        self.assertTrue(report["user_site_ran"])
        self.assertFalse(report["finder"])

    def test_without_a_gateway_port_it_is_not_a_pyspark_driver(self):
        report = self.report(self.run_driver(extra_path=[self.user_site], driver=False))
        self.assertIsNone(report["xray_batch"])
        self.assertTrue(report["user_site_ran"])

    def test_a_failing_user_sitecustomize_reads_as_it_would_without_us(self):
        self.write_user_sitecustomize("1 / 0\n")
        with_boot = self.run_driver(code="print('started')", extra_path=[self.user_site])
        without = support.run_python("print('started')", env={"PYTHONPATH": self.user_site})

        self.assertEqual(("started", 0), (with_boot.stdout.strip(), with_boot.returncode))
        self.assertIn("Error in sitecustomize; set PYTHONVERBOSE for traceback:\nZeroDivisionError", without.stderr)
        self.assertEqual(without.stderr, with_boot.stderr)

    def test_a_broken_xray_batch_costs_one_line_and_the_interpreter_starts(self):
        broken = support.make_zip(os.path.join(self._tmp.name, "broken.jar"),
                                  replace={"xray_batch/__init__.py": "raise ImportError('damaged copy')\n"})
        result = self.run_driver(code=_REPORT, jar=broken, extra_path=[self.user_site])
        report = self.report(result)

        self.assertTrue(report["user_site_ran"])
        self.assertEqual(["[xray-batch] Python tracing could not start (ImportError: damaged copy); "
                          "the job runs untraced"], support.warning_lines(result.stderr))

    @unittest.skipUnless(os.path.exists(DEBIAN_PYTHON) and os.path.exists(DEBIAN_SITECUSTOMIZE),
                         "needs Debian's python3.11 and its sitecustomize")
    def test_debians_own_sitecustomize_runs_after_ours(self):
        report = self.report(self.run_driver(python=DEBIAN_PYTHON))
        self.assertEqual(os.path.realpath(DEBIAN_SITECUSTOMIZE), os.path.realpath(report["sitecustomize"]))
        self.assertTrue(report["xray_batch"].startswith(self.jar))
        self.assertTrue(report["hook_ours"])


class AutomaticTracingTest(unittest.TestCase):
    """The boot route end to end with the fake PySpark: the program never imports xray_batch."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        support.write_fake_pyspark(self._tmp.name)
        self.log = os.path.join(self._tmp.name, "calls.jsonl")

    def run_program(self, jar):
        program = (
            "from pyspark.sql import SparkSession\n"
            "df = SparkSession().createDataFrame([(1,), (2,)])\n"
            "print(df.count(), df.first())\n")
        result = support.run_python(program, env={
            "PYTHONPATH": os.pathsep.join([jar, self._tmp.name, support.HERE]),
            "PYSPARK_GATEWAY_PORT": "40000", "FAKE_AGENT_LOG": self.log})
        self.assertEqual(("2 (1,)", 0), (result.stdout.strip(), result.returncode), result.stderr)
        with open(self.log) as lines:
            return [json.loads(line) for line in lines]

    def assert_traced(self, calls):
        self.assertEqual(["protocolVersion", "pythonConnected", "actionBegin", "actionEnd", "actionBegin",
                          "actionEnd", "actionBegin", "actionEnd"], [call["method"] for call in calls])
        self.assertEqual(["createDataFrame", "count", "first"],
                         [call["args"][0] for call in calls if call["method"] == "actionBegin"])
        self.assertEqual(["<string>", 3], calls[-2]["args"][1:3])

    def test_actions_are_traced_with_no_import_in_the_program(self):
        self.assert_traced(self.run_program(support.make_zip(os.path.join(self._tmp.name, "agent.jar"))))

    @unittest.skipUnless(os.path.exists(BUILT_JAR), "needs agent/target/xray-batch-agent.jar (mvn package)")
    def test_from_the_real_agent_jar_with_the_python_folders_added(self):
        jar = support.make_zip(os.path.join(self._tmp.name, "xray-batch-agent.jar"), base=BUILT_JAR)
        self.assert_traced(self.run_program(jar))


if __name__ == "__main__":
    unittest.main()
