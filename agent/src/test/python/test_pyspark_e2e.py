"""Real PySpark, real JVM, no agent: the job's results and Spark's call sites are unchanged, one warning line,
and (with a bridge that records in Python on the real gateway) one action per call the job made.

Needs XRAY_BATCH_TEST_SPARK_HOME: a SPARK_HOME with python/lib/pyspark.zip and py4j (e.g. the one
/work/shared/pyspark-3.5.2/spark-home builds). Five Spark runs: python3 job.py without and with xray_batch,
with the recording bridge, spark-submit with xray_batch_boot on the driver's PYTHONPATH, and spark-submit with the
jar in --py-files.
"""

import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

import support

SPARK_HOME = os.environ.get("XRAY_BATCH_TEST_SPARK_HOME")
JOBS = os.path.join(support.HERE, "jobs")


def _line_of(text):
    with open(os.path.join(JOBS, "actions_job.py")) as job:
        return next(number for number, line in enumerate(job, 1) if text in line)


def _spark_python_path():
    libs = sorted(glob.glob(os.path.join(SPARK_HOME, "python", "lib", "*.zip")))
    return [lib for lib in libs if os.path.basename(lib).startswith(("pyspark", "py4j"))]


@unittest.skipUnless(SPARK_HOME and os.path.exists(os.path.join(SPARK_HOME or "", "python", "lib", "pyspark.zip")),
                     "set XRAY_BATCH_TEST_SPARK_HOME to a SPARK_HOME with PySpark")
class RealPySparkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.runs = {}
        jar = support.make_zip(os.path.join(cls._tmp.name, "xray-batch-agent.jar"))
        spark_path = _spark_python_path()
        cls.calls_file = os.path.join(cls._tmp.name, "calls.json")
        job = os.path.join(JOBS, "actions_job.py")
        cls.run_job("plain", [sys.executable, job], spark_path)
        cls.run_job("xray_batch", [sys.executable, job], spark_path + [support.SOURCE])
        cls.run_job("recorded", [sys.executable, os.path.join(JOBS, "recording_bridge.py"), cls.calls_file, job],
                spark_path + [support.SOURCE])
        # PythonRunner puts the environment's PYTHONPATH on the driver's, as the agent puts its own jar.
        cls.run_job("spark_submit", [os.path.join(SPARK_HOME, "bin", "spark-submit"), "--master", "local[2]", job],
                [jar])
        # The jar named as a Python file (Glue's --extra-py-files): on the driver's path from its start too.
        cls.run_job("py_files", [os.path.join(SPARK_HOME, "bin", "spark-submit"), "--master", "local[2]",
                                 "--jars", jar, "--py-files", jar, job], [])
        with open(cls.calls_file) as calls:
            cls.calls = json.load(calls)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    @classmethod
    def run_job(cls, name, command, python_path):
        out = os.path.join(cls._tmp.name, name)
        os.mkdir(out)
        env = {key: value for key, value in os.environ.items()
               if key not in ("PYTHONPATH", "PYSPARK_GATEWAY_PORT", "PYTHON_WORKER_FACTORY_SECRET")}
        env.update({"SPARK_HOME": SPARK_HOME, "PYTHONPATH": os.pathsep.join(python_path),
                    "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable,
                    "PYSPARK_DRIVER_PYTHON": sys.executable})
        result = subprocess.run(command + [out], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, timeout=600)
        lines = [line for line in result.stdout.splitlines() if line.startswith("RESULTS ")]
        if result.returncode != 0 or not lines:
            raise AssertionError("%s run failed (%d):\n%s\n%s" % (name, result.returncode, result.stdout,
                                                                  result.stderr[-4000:]))
        # spark-submit's PythonRunner sends the driver's stderr to its stdout: the warning can be in either.
        cls.runs[name] = {"results": json.loads(lines[-1][len("RESULTS "):]),
                          "stderr": result.stderr + result.stdout}

    def results(self, name):
        return {key: value for key, value in self.runs[name]["results"].items()
                if key not in ("booted", "trace_id", "worker", "xray_batch_file")}

    def test_the_jobs_results_are_unchanged(self):
        plain = self.results("plain")
        self.assertEqual(2000, plain["count"])
        for name in ("xray_batch", "recorded", "spark_submit", "py_files"):
            self.assertEqual(plain, self.results(name), name)

    def test_exactly_one_warning_line_without_the_agent(self):
        self.assertEqual([], support.warning_lines(self.runs["plain"]["stderr"]))
        self.assertEqual([], support.warning_lines(self.runs["recorded"]["stderr"]))
        for name in ("xray_batch", "spark_submit", "py_files"):
            lines = support.warning_lines(self.runs[name]["stderr"])
            self.assertEqual(1, len(lines), name)
            self.assertIn("not active in this Spark driver's JVM", lines[0])
            self.assertIsNone(self.runs[name]["results"]["trace_id"])

    def test_spark_submit_imports_xray_batch_at_interpreter_start(self):
        self.assertTrue(self.runs["spark_submit"]["results"]["booted"])
        self.assertFalse(self.runs["plain"]["results"]["booted"])
        self.assertTrue(self.runs["py_files"]["results"]["booted"])
        self.assertIn("xray-batch-agent.jar", self.runs["py_files"]["results"]["xray_batch_file"])

    def test_python_workers_run_the_boot_but_do_not_import_xray_batch(self):
        # The executor's Python workers inherit the JVM's PYTHONPATH, here with the agent's jar on it.
        loaded, jar_on_path, site = self.runs["spark_submit"]["results"]["worker"]
        self.assertFalse(loaded)
        self.assertTrue(site is None or site.endswith("sitecustomize.py"), site)

    def test_sparks_own_call_sites_still_name_the_jobs_lines(self):
        names = self.runs["plain"]["results"]["job_names"]
        line = _line_of('results["first"]')
        self.assertIn("first at %s:%d" % (os.path.join(JOBS, "actions_job.py"), line), names)
        self.assertEqual([], [name for name in names if "xray_batch" in name])

    def test_one_action_per_call_the_job_made(self):
        actions = [call["args"][0] for call in self.calls if call["method"] == "actionBegin"]
        self.assertEqual(["count", "foreach", "count", "first", "take", "collect", "isEmpty", "toLocalIterator",
                          "rdd", "sum", "zipWithIndex", "collect", "sortBy", "collect", "pivot", "collect",
                          "parquet", "parquet", "count", "sql", "collect", "listTables", "sql", "collect"],
                         actions)
        ends = [call for call in self.calls if call["method"] == "actionEnd"]
        self.assertEqual(len(actions), len(ends))

    def test_the_call_site_and_the_steps(self):
        job = os.path.join(JOBS, "actions_job.py")
        first = next(call for call in self.calls if call["method"] == "actionBegin" and call["args"][0] == "first")
        line = _line_of('results["first"]')
        self.assertEqual([job, line], first["args"][1:3])
        self.assertEqual("%s:%d:<module>" % (job, line), first["args"][3].split("\n")[0])
        sequence = [(call["method"], call["args"][0]) for call in self.calls
                    if call["method"] in ("stepBegin", "stepEnd", "actionBegin")][:7]
        self.assertEqual([("stepBegin", "add_unique_ids"), ("actionBegin", "count"), ("actionBegin", "foreach"),
                          ("stepEnd", 1), ("stepBegin", "sort"), ("actionBegin", "count"), ("stepEnd", 4)], sequence)
        self.assertEqual("pythonConnected", self.calls[0]["method"])

    def test_a_failed_action_reports_pysparks_exception(self):
        failed = [call["args"] for call in self.calls if call["method"] == "actionEnd" and call["args"][1]]
        self.assertEqual(1, len(failed))
        _token, error_type, message, stack = failed[0]
        self.assertEqual("pyspark.errors.exceptions.captured.AnalysisException", error_type)
        self.assertIn("TABLE_OR_VIEW_NOT_FOUND", message)
        self.assertIn("py4j/java_gateway.py", stack)


if __name__ == "__main__":
    unittest.main()
