"""Annotation and metadata values in the forms py4j and X-Ray take."""

import math
import numbers

_LONG_MIN, _LONG_MAX = -(2 ** 63), 2 ** 63 - 1


def _text(value):
    try:
        return str(value)
    except Exception:
        try:
            return repr(value)
        except Exception:
            return "<unprintable %s>" % type(value).__name__


def annotation_key(key):
    return key if isinstance(key, str) else _text(key)


def annotation_value(value):
    """str, bool, int and float pass as they are (py4j maps them to Java); anything else becomes its str()."""
    # Subclasses and registered numbers (enums, numpy scalars) become the plain type: py4j writes a
    # number with str(), which for an IntEnum is its name.
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, numbers.Integral):
        value = int(value)
        # py4j sends a Python int as a Java int or long; a bigger one would fail on the Java side.
        return value if _LONG_MIN <= value <= _LONG_MAX else str(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        # NaN and infinities have no JSON form.
        return value if math.isfinite(value) else str(value)
    return _text(value)


def metadata_json(value):
    import json  # here: most jobs never write metadata, and every driver imports this package at start

    try:
        return json.dumps(value, default=str)
    except Exception:
        # A cycle, or a key json cannot write: keep what can be said about it.
        return json.dumps(_text(value))
