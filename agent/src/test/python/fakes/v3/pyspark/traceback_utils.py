"""As PySpark's: the call site is the frame just outside the first frame in pyspark's folder."""
import os
import traceback
from collections import namedtuple

CallSite = namedtuple("CallSite", "function file linenum")


def first_spark_call():
    tb = traceback.extract_stack()
    if len(tb) == 0:
        return None
    sparkpath = os.path.dirname(tb[-1][0])
    for i, (file, line, fun, what) in enumerate(tb):
        if file.startswith(sparkpath):
            if i == 0:
                return CallSite(fun, file, line)
            return CallSite(function=fun, file=tb[i - 1][0], linenum=tb[i - 1][1])
    return None
