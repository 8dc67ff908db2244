"""Shared by the tests: where the package is, a fake PySpark on sys.path, and a clean xray_batch state."""

import io
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", "..", "main", "python"))
FAKES = os.path.join(HERE, "fakes")

for _path in (SOURCE, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import fake_jvm  # noqa: E402
import xray_batch  # noqa: E402
from xray_batch import _bridge, _context, _excepthook, _frames, _patching  # noqa: E402


def write_fake_pyspark(target, layout="3"):
    """A fake PySpark tree under `target`: the 3.x one, with the 4.x files laid over it for layout "4"."""
    shutil.copytree(os.path.join(FAKES, "v3", "pyspark"), os.path.join(target, "pyspark"))
    if layout == "4":
        for name in ("rdd.py", "context.py"):
            os.remove(os.path.join(target, "pyspark", name))
        shutil.copytree(os.path.join(FAKES, "v4", "pyspark"), os.path.join(target, "pyspark"), dirs_exist_ok=True)
    return target


def forget_pyspark():
    for name in list(sys.modules):
        if name == "pyspark" or name.startswith("pyspark."):
            del sys.modules[name]


def reset_xray_batch():
    _bridge.BRIDGE.__init__()
    _bridge._warned.clear()
    _context.THREAD.__init__()
    _context._unsent[0] = 0
    _excepthook._reported[0] = False
    _frames._library_prefixes = None


def make_zip(path, folders=("xray_batch",), base=None, replace=None, top_files=("sitecustomize.py",)):
    """A zip (or a copy of `base`, a jar) holding the package folders and the start-up hook at its root, as the
    agent jar does."""
    if base is not None:
        shutil.copyfile(base, path)
    with zipfile.ZipFile(path, "a" if base is not None else "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            for root, _dirs, files in os.walk(os.path.join(SOURCE, folder)):
                for name in files:
                    full = os.path.join(root, name)
                    inside = os.path.relpath(full, SOURCE)
                    if name.endswith(".py") and inside not in (replace or {}):
                        archive.write(full, inside)
        for name in top_files:
            if name not in (replace or {}):
                archive.write(os.path.join(SOURCE, name), name)
        for name, text in (replace or {}).items():
            archive.writestr(name, text)
    return path


def run_python(code, env=None, python=None, cwd=None):
    """Runs `code` in a fresh interpreter (site enabled) with `env` added to a clean environment."""
    child_env = {key: value for key, value in os.environ.items()
                 if key not in ("PYTHONPATH", "PYSPARK_GATEWAY_PORT", "PYTHON_WORKER_FACTORY_SECRET",
                                "PYTHONSTARTUP", "PYTHONINSPECT")}
    child_env.update(env or {})
    return subprocess.run([python or sys.executable, "-c", code], env=child_env, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)


def warning_lines(text):
    return [line for line in text.splitlines() if line.startswith("[xray-batch]")]


class FakePySparkCase(unittest.TestCase):
    """Each test gets a fresh fake PySpark (imported after xray_batch's finder is in place)."""

    layout = "3"
    agent = "present"
    zipped = False  # from a pyspark.zip, as spark-submit runs it: zipimport's loader

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        tree = write_fake_pyspark(os.path.join(self._tmp.name, "tree"), self.layout)
        location = shutil.make_archive(os.path.join(self._tmp.name, "pyspark"), "zip", tree) if self.zipped else tree
        sys.path.insert(0, location)
        self.addCleanup(sys.path.remove, location)
        forget_pyspark()
        self.addCleanup(forget_pyspark)
        reset_xray_batch()
        self.addCleanup(reset_xray_batch)
        self.recorder = fake_jvm.configure(self.agent)
        self.stderr = io.StringIO()
        self._real_stderr = sys.stderr
        sys.stderr = self.stderr
        self.addCleanup(setattr, sys, "stderr", self._real_stderr)
        _patching.install()

    def spark(self):
        from pyspark.sql import SparkSession

        return SparkSession()

    def calls(self, *methods):
        return [(method, args) for method, args, _thread in self.recorder.calls
                if not methods or method in methods]

    def actions(self):
        return [args[0] for method, args in self.calls("actionBegin")]

    def warnings(self):
        return warning_lines(self.stderr.getvalue())
