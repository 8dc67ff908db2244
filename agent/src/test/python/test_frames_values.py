"""Call sites, stacks and error descriptions in the contract's form; annotation and metadata values."""

import enum
import json
import sys
import types
import unittest

import support  # noqa: F401  (puts the package on sys.path)
from xray_batch import _frames, _values


def _frames_through(filenames, innermost):
    """`innermost(frame)` from the bottom of a chain of calls whose code claims the given file names, outermost
    first (each level calls the next one itself, so no frame of this file sits between them)."""
    source = "def f(chain): return chain[0](chain[1:]) if chain else _innermost(_getframe(0))"
    levels = []
    for filename in filenames:
        code = compile(source, filename, "exec").co_consts[0]
        levels.append(types.FunctionType(code, {"_innermost": innermost, "_getframe": sys._getframe}))
    return levels[0](levels[1:])


class CallSiteTest(unittest.TestCase):
    def setUp(self):
        fake_pyspark = types.ModuleType("pyspark")
        fake_pyspark.__file__ = "/opt/spark/python/lib/pyspark.zip/pyspark/__init__.py"
        fake_py4j = types.ModuleType("py4j")
        fake_py4j.__file__ = "/opt/spark/python/lib/py4j.zip/py4j/__init__.py"
        self._saved = {name: sys.modules.get(name) for name in ("pyspark", "py4j")}
        sys.modules.update({"pyspark": fake_pyspark, "py4j": fake_py4j})
        _frames._library_prefixes = None

    def tearDown(self):
        for name, module in self._saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        _frames._library_prefixes = None

    def test_library_frames_are_skipped_up_to_the_first_user_frame(self):
        files = ["/jobs/main.py", "/jobs/lib/etl.py", "/opt/spark/python/lib/pyspark.zip/pyspark/sql/dataframe.py",
                 "/opt/spark/python/lib/pyspark.zip/pyspark/sql/" + _frames.WRAPPER_FILE,
                 "/opt/spark/python/lib/py4j.zip/py4j/java_gateway.py"]
        file, line, stack = _frames_through(files, _frames.user_call_site)

        self.assertEqual(("/jobs/lib/etl.py", 1), (file, line))
        self.assertEqual(["/jobs/lib/etl.py:1:f", "/jobs/main.py:1:f"], stack.split("\n")[:2])
        # No library frame (the checkout's own path may well contain "pyspark": this test runs from it).
        self.assertNotIn("/opt/spark/", stack)

    def test_at_most_twenty_user_frames(self):
        files = ["/jobs/deep%d.py" % index for index in range(40)]
        _file, _line, stack = _frames_through(files, _frames.user_call_site)
        lines = stack.split("\n")
        self.assertEqual(_frames.MAX_CALL_STACK, len(lines))
        self.assertEqual("/jobs/deep39.py:1:f", lines[0])

    def test_the_format_is_file_line_function(self):
        file, line, stack = _frames.user_call_site(sys._getframe())
        self.assertEqual(__file__, file)
        self.assertEqual("%s:%d:%s" % (__file__, line, self._testMethodName), stack.split("\n")[0])


class ErrorTest(unittest.TestCase):
    def test_type_names_are_qualified_except_builtins(self):
        class Inner(Exception):
            pass

        self.assertEqual("ValueError", _frames.type_name(ValueError()))
        self.assertEqual("json.decoder.JSONDecodeError", _frames.type_name(json.JSONDecodeError("m", "d", 0)))
        self.assertEqual(__name__ + ".ErrorTest.test_type_names_are_qualified_except_builtins.<locals>.Inner",
                         _frames.type_name(Inner()))

    def test_the_message_is_cut_at_2000_characters_and_an_unprintable_one_is_named(self):
        class Unprintable(Exception):
            def __str__(self):
                raise RuntimeError("no")

        self.assertEqual(2000, len(_frames.message(ValueError("x" * 5000))))
        self.assertEqual("<unprintable Unprintable>", _frames.message(Unprintable()))

    def test_the_stack_is_innermost_first_and_at_most_fifty_frames(self):
        def recurse(depth):
            if depth == 0:
                raise OverflowError("deep")
            recurse(depth - 1)

        try:
            recurse(80)
        except OverflowError as error:
            error_type, message, stack = _frames.describe(error)
        lines = stack.split("\n")
        self.assertEqual(("OverflowError", "deep"), (error_type, message))
        self.assertEqual(_frames.MAX_ERROR_STACK, len(lines))
        self.assertTrue(all(line.endswith(":recurse") for line in lines), lines[:3])

    def test_success_and_a_clean_exit_have_no_error(self):
        self.assertEqual((None, None, None), _frames.describe(None))
        self.assertEqual((None, None, None), _frames.describe(SystemExit(0)))
        self.assertEqual((None, None, None), _frames.describe(SystemExit()))
        self.assertEqual("SystemExit", _frames.describe(SystemExit(2))[0])


class ValuesTest(unittest.TestCase):
    def test_annotation_values(self):
        class Color(enum.IntEnum):
            RED = 1

        self.assertEqual("a", _values.annotation_value("a"))
        self.assertIs(True, _values.annotation_value(True))
        self.assertEqual(7, _values.annotation_value(7))
        self.assertIs(int, type(_values.annotation_value(Color.RED)))
        self.assertEqual(str(2 ** 70), _values.annotation_value(2 ** 70))
        self.assertEqual(0.25, _values.annotation_value(0.25))
        self.assertEqual("nan", _values.annotation_value(float("nan")))
        self.assertEqual("[1, 2]", _values.annotation_value([1, 2]))
        self.assertEqual("None", _values.annotation_value(None))
        self.assertEqual("3", _values.annotation_key(3))

    def test_metadata_is_json_with_str_for_the_rest(self):
        cycle = []
        cycle.append(cycle)
        self.assertEqual('{"a": [1, 2.5, null, true]}', _values.metadata_json({"a": [1, 2.5, None, True]}))
        self.assertEqual('{"when": "2024-01-02"}', _values.metadata_json({"when": _Day()}))
        self.assertEqual('"[[...]]"', _values.metadata_json(cycle))


class _Day:
    def __str__(self):
        return "2024-01-02"


if __name__ == "__main__":
    unittest.main()
