"""A PySpark job that runs one of each kind of wrapped action and prints its results as one JSON line.

Run with or without xray_batch on the path (without it, steps are plain blocks): the results must match.
Argument 1: a folder for the files it writes.
"""

import json
import os
import sys

BOOTED = "xray_batch" in sys.modules  # imported by sitecustomize before this line, on the spark-submit route

try:
    import xray_batch

    step = xray_batch.step
except ImportError:
    import contextlib

    xray_batch = None

    def step(name):
        return contextlib.nullcontext()

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

out = sys.argv[1]
results = {"booted": BOOTED}
spark = SparkSession.builder.master("local[2]").appName("actions-job").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")

with step("add_unique_ids"):
    df = spark.range(0, 2000).withColumn("uid", F.expr("uuid()")).withColumn("k", F.col("id") % 3)
    results["count"] = df.count()
    df.foreach(lambda row: None)
with step("sort"):
    results["sorted_count"] = df.orderBy("uid").count()
results["first"] = df.select("id").first()[0]
results["take"] = [row.id for row in df.select("id").take(3)]
results["collect"] = sorted(row.k for row in df.select("k").distinct().collect())
results["is_empty"] = df.isEmpty()
results["iterator"] = [row.id for row in df.select("id").limit(4).toLocalIterator()]
results["rdd_sum"] = df.rdd.map(lambda row: row.id).sum()
results["zip_with_index"] = spark.sparkContext.parallelize(["a", "b", "c"]).zipWithIndex().collect()
results["sort_by"] = spark.sparkContext.parallelize([3, 1, 2]).sortBy(lambda x: x).collect()
results["pivot"] = sorted(tuple(row) for row in df.groupBy("k").pivot("k").count().collect())
path = os.path.join(out, "out.parquet")
df.select("id", "k").write.mode("overwrite").parquet(path)
results["read_back"] = spark.read.parquet(path).count()
df.select("id", "k").createOrReplaceTempView("numbers")
results["sql"] = spark.sql("select count(*) from numbers where k = 1").collect()[0][0]
results["tables"] = sorted(table.name for table in spark.catalog.listTables())
try:
    spark.sql("select * from no_such_table").count()
except Exception as error:
    results["error"] = type(error).__name__



def _worker_view(_rows):
    import sys as worker_sys  # in the Python worker on the executor

    site = getattr(worker_sys.modules.get("sitecustomize"), "__file__", None)
    yield ["xray_batch" in worker_sys.modules, any(p.endswith(".jar") for p in worker_sys.path), site]


results["worker"] = spark.sparkContext.parallelize([0], 1).mapPartitions(_worker_view).collect()[0]

# Spark's own call sites (set by PySpark's SCCallSiteSync): must not point into xray_batch.
jobs = spark.sparkContext._jsc.sc().statusStore().jobsList(None)
results["job_names"] = sorted({jobs.apply(index).name() for index in range(jobs.size())})

results["trace_id"] = xray_batch.trace_id() if xray_batch else None
results["xray_batch_file"] = getattr(xray_batch, "__file__", None)
print("RESULTS " + json.dumps(results, sort_keys=True))
spark.stop()
