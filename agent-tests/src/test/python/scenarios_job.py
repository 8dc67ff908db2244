"""A PySpark job as its author wrote it, run by PySparkSubmitIT with spark-submit and the agent.

Each line that runs Spark work ends with an expect marker naming its action: the test reads the markers and
expects exactly one action subsegment per marker, in order, named `<name> at scenarios_job.py:<line>` (or
`<name>` alone when the marker names a job description).
"""
import os
import sys
import uuid

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, udf
from pyspark.sql.types import StringType

import xray_batch  # on the path without --py-files: the agent put its jar there

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "glue_standin"))
from awsglue.data_sink import DataSink  # noqa: E402  (a stand-in for Glue's, which calls the JVM as Glue's does)

spark = SparkSession.builder.appName("pyspark-scenarios").getOrCreate()
out = sys.argv[1]


@udf(returnType=StringType())
def random_uuid():
    return str(uuid.uuid4())


df = spark.range(0, 20000, numPartitions=4).withColumn("uid", random_uuid())
with xray_batch.step("add_unique_ids"):
    rows = df.count()  # expect: count
    xray_batch.annotate("rows", rows)
    xray_batch.metadata("sizes", {"rows": rows, "partitions": 4})
df.orderBy(col("uid")).show(3)  # expect: show
df.orderBy("uid").foreach(lambda row: None)  # expect: foreach
df.groupBy((col("id") % 10).alias("k")).count().collect()  # expect: collect
df.write.mode("overwrite").parquet(out + "/uuids")  # expect: parquet
back = spark.read.parquet(out + "/uuids")  # expect: parquet
back.take(2)  # expect: take
spark.sparkContext.setJobDescription("nightly totals")
back.agg({"id": "sum"}).collect()  # expect: nightly totals
spark.sparkContext.setJobDescription(None)
numbers = spark.sparkContext.parallelize(range(1000), 4)
numbers.map(lambda x: x * 2).sum()  # expect: sum
numbers.take(5)  # expect: take
DataSink(spark.sparkContext, out + "/glue").write(numbers.map(str))  # expect: write_dynamic_frame
print("trace id " + str(xray_batch.trace_id()))
spark.stop()
