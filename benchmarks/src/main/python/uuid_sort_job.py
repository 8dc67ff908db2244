"""The PySpark job of the benchmark: the seed's job in the shape of spark/UuidSortJob (the Scala/Java benchmark's).

    spark-submit [--conf spark.driver.extraJavaOptions=-javaagent:xray-batch-agent.jar] uuid_sort_job.py [rows]

A range of rows (2,000,000 by default), each given a random UUID by a Python UDF, sorted by it and counted, then
grouped by the UUID's first character and collected. Unchanged by tracing: no import of xray_batch (with the agent,
its module traces the actions on its own), so the same file runs with and without the agent.
"""
import sys
import uuid

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, substring, udf
from pyspark.sql.types import StringType


def random_uuid():
    return str(uuid.uuid4())


rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000000
spark = SparkSession.builder.appName("uuid-sort-pyspark-benchmark").getOrCreate()
try:
    random_uuid_udf = udf(random_uuid, StringType()).asNondeterministic()
    with_uuids = spark.range(0, rows).withColumn("uuid", random_uuid_udf())
    # A plain count would let Spark drop the UDF and the sort; counting the cached sorted rows computes them.
    sorted_rows = with_uuids.orderBy("uuid").cache()
    counted = sorted_rows.count()
    groups = len(sorted_rows.groupBy(substring(col("uuid"), 1, 1)).count().collect())
    print("counted %d rows sorted by a random UUID, %d groups" % (counted, groups))
finally:
    spark.stop()
