"""What a wrapped PySpark call costs, printed (a benchmark to run by hand; tests never assert speed).

    python3 agent/src/test/python/bench_overhead.py
        in-process, no JVM: a plain call, the wrapper with no agent, the wrapper with a bridge whose calls
        cost nothing (this package's own work: depth, call site, error fields)
    XRAY_BATCH_TEST_SPARK_HOME=... python3 agent/src/test/python/bench_overhead.py --pyspark
        real PySpark: a py4j call with no Spark job behind it (spark.catalog.databaseExists), traced and
        called directly; with PYSPARK_SUBMIT_ARGS="--driver-class-path <bridge classes> pyspark-shell"
        (or -javaagent) the bridge is live and the traced call adds its two py4j round trips.
Timings interleave the variants in rounds and report medians, for a shared, noisy machine.
"""

import glob
import os
import statistics
import sys
import time

import support  # noqa: F401  (puts the package on sys.path)


def per_call_us(variants, calls, rounds=15):
    samples = {name: [] for name in variants}
    for function in variants.values():  # warm both ends up (the JVM compiles its side of py4j)
        for _ in range(calls):
            function()
    for _ in range(rounds):
        for name, function in variants.items():
            started = time.perf_counter()
            for _ in range(calls):
                function()
            samples[name].append((time.perf_counter() - started) / calls * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def in_process():
    from xray_batch import _actions, _bridge, _context

    class Frame:
        def count(self):
            return 1

    plain = Frame().count
    traced = _actions.traced(Frame.count, "count").__get__(Frame())
    bridge = _bridge.BRIDGE

    bridge.__init__()
    bridge.absent = True
    figures = per_call_us({"plain": plain, "traced, no agent": traced}, 200000)

    bridge.__init__()
    names = ("pythonConnected", "actionBegin", "actionEnd", "stepBegin", "stepEnd", "annotate", "metadata",
             "traceId", "programFailed")
    bridge._use({name: (lambda *_args: 1) for name in names})
    bridge.live = True
    figures.update(per_call_us({"traced, bridge live (calls free)": traced}, 50000))

    bridge.__init__()
    _context.THREAD.__init__()
    for name, value in sorted(figures.items(), key=lambda item: item[1]):
        print("%-36s %8.3f us per call" % (name, value))


def with_pyspark():
    spark_home = os.environ["XRAY_BATCH_TEST_SPARK_HOME"]
    sys.path[:0] = sorted(glob.glob(os.path.join(spark_home, "python", "lib", "*.zip")))
    os.environ.setdefault("SPARK_HOME", spark_home)
    import xray_batch  # noqa: F401
    from pyspark.sql import SparkSession
    from pyspark.sql.catalog import Catalog
    from xray_batch import _bridge

    spark = SparkSession.builder.master("local[1]").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    catalog = spark.catalog
    direct = Catalog.databaseExists.__wrapped__
    print("bridge live: %s" % _bridge.BRIDGE.live)
    figures = per_call_us({"databaseExists direct": lambda: direct(catalog, "default"),
                           "databaseExists traced": lambda: catalog.databaseExists("default")}, 300)
    for name, value in figures.items():
        print("%-36s %8.1f us per call" % (name, value))
    print("%-36s %8.1f us per call" % ("traced - direct",
                                       figures["databaseExists traced"] - figures["databaseExists direct"]))
    spark.stop()


if __name__ == "__main__":
    with_pyspark() if "--pyspark" in sys.argv else in_process()
