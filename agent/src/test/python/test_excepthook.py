"""The program's uncaught exception, in a child interpreter with the fake PySpark."""

import json
import os
import tempfile
import unittest

import support


class ExcepthookTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        support.write_fake_pyspark(self._tmp.name)
        self.log = os.path.join(self._tmp.name, "calls.jsonl")

    def run_job(self, code, agent="present"):
        result = support.run_python(code, env={
            "PYTHONPATH": os.pathsep.join([self._tmp.name, support.SOURCE, support.HERE]),
            "FAKE_AGENT": agent, "FAKE_AGENT_LOG": self.log})
        calls = []
        if os.path.exists(self.log):
            with open(self.log) as lines:
                calls = [json.loads(line) for line in lines]
        return result, calls

    def test_reported_then_the_previous_hook_runs(self):
        result, calls = self.run_job(
            "import sys\n"
            "sys.excepthook = lambda t, e, tb: print('previous hook saw', t.__name__, e)\n"
            "import xray_batch\n"
            "from pyspark.sql import SparkSession\n"
            "SparkSession().range(0, 3).count()\n"
            "def main():\n"
            "    raise RuntimeError('boom')\n"
            "main()\n")

        self.assertEqual(1, result.returncode)
        self.assertEqual("previous hook saw RuntimeError boom", result.stdout.strip())
        failed = [call["args"] for call in calls if call["method"] == "programFailed"]
        self.assertEqual(1, len(failed))
        error_type, message, stack = failed[0]
        self.assertEqual(("RuntimeError", "boom"), (error_type, message))
        self.assertEqual(["<string>:7:main", "<string>:8:<module>"], stack.split("\n"))

    def test_an_exception_an_action_reported_is_also_the_programs_failure(self):
        result, calls = self.run_job(
            "import xray_batch\n"
            "from pyspark.sql import SparkSession\n"
            "SparkSession().sql('select * from missing')\n")

        self.assertIn("LookupError: [TABLE_OR_VIEW_NOT_FOUND] missing", result.stderr)  # the default hook ran
        ends = [call["args"] for call in calls if call["method"] == "actionEnd"]
        failed = [call["args"] for call in calls if call["method"] == "programFailed"]
        self.assertEqual("LookupError", ends[-1][1])
        self.assertEqual(["LookupError"], [args[0] for args in failed])

    def test_nothing_is_reported_at_an_interactive_prompt_or_before_spark(self):
        _result, calls = self.run_job(
            "import sys, xray_batch\n"
            "from pyspark.sql import SparkSession\n"
            "SparkSession()\n"
            "sys.ps1 = '>>> '\n"
            "raise KeyError('typo at the prompt')\n")
        self.assertEqual([], [call for call in calls if call["method"] == "programFailed"])

        os.remove(self.log)
        result, calls = self.run_job("import xray_batch\nraise KeyError('before spark')\n")
        self.assertIn("KeyError: 'before spark'", result.stderr)
        self.assertEqual([], calls)

    def test_importing_twice_chains_once(self):
        result, calls = self.run_job(
            "import importlib, sys, xray_batch\n"
            "from xray_batch import _excepthook\n"
            "_excepthook.install(); _excepthook.install()\n"
            "hook, depth = sys.excepthook, 0\n"
            "while hasattr(hook, 'previous'):\n"
            "    hook, depth = hook.previous, depth + 1\n"
            "print(depth, hook is sys.__excepthook__)\n")
        self.assertEqual("1 True", result.stdout.strip(), result.stderr)


if __name__ == "__main__":
    unittest.main()
