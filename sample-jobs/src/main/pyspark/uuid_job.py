"""The seed's PySpark job, written for xray-batch-agent: rows given a random UUID by a Python UDF, sorted by it,
counted, then summarized by the UUID's first character.

    spark-submit --conf spark.driver.extraJavaOptions=-javaagent:/opt/xray-batch-agent.jar uuid_job.py [rows]

Every action (`count`, `collect`, `show`) is traced by the agent on its own, named by its line here, with its
Spark jobs and stages and the UDF's Python time; the steps only group them. `import xray_batch` works because the
agent puts its jar on the Python driver's path (on the plugin route: `--py-files` naming the jar).
"""
import sys
import uuid

from pyspark.sql import SparkSession
from pyspark.sql.functions import substring, udf
from pyspark.sql.types import StringType

import xray_batch

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000000
spark = SparkSession.builder.appName("uuid-job").getOrCreate()


def random_uuid():
    return str(uuid.uuid4())


random_uuid_udf = udf(random_uuid, StringType()).asNondeterministic()

with xray_batch.step("add_unique_ids"):
    xray_batch.annotate("rows", rows)
    df = spark.range(0, rows).withColumn("uid", random_uuid_udf())
with xray_batch.step("sort"):
    # Cached, so that the summary reads the sorted rows instead of making new UUIDs and sorting again.
    sorted_df = df.orderBy("uid").cache()
    counted = sorted_df.count()
with xray_batch.step("summarize"):
    groups = sorted_df.groupBy(substring("uid", 1, 1).alias("first")).count().collect()
    sorted_df.show(3, truncate=False)

print("counted %d rows sorted by a random UUID, %d groups" % (counted, len(groups)))
spark.stop()
