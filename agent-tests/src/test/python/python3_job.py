"""A PySpark job started as `python3 python3_job.py <module|plain> <agent jar or ->`: Python starts the JVM, as in
a notebook or a local run. With `module`, it imports the agent's Python module from the agent's jar, as a
notebook would; the agent rides on the driver through spark.driver.extraJavaOptions unless the jar is `-`."""
import os
import sys

use_module = sys.argv[1] == "module"
agent_jar = sys.argv[2]
if use_module:
    sys.path.append(agent_jar if agent_jar != "-" else sys.argv[3])
    import xray_batch

from pyspark.sql import SparkSession

builder = SparkSession.builder.master("local[2]").appName("pyspark-python3")
if agent_jar != "-":
    builder = builder.config("spark.driver.extraJavaOptions", "-javaagent:" + agent_jar)
if os.environ.get("GLUE_STANDIN_CLASSES"):
    builder = builder.config("spark.driver.extraClassPath", os.environ["GLUE_STANDIN_CLASSES"])
    sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "glue_standin"))
spark = builder.getOrCreate()

df = spark.range(0, 5000, numPartitions=2)
print("rows", df.count())  # expect: count
df.selectExpr("id % 3 as k").groupBy("k").count().show()  # expect: show
df.orderBy("id").foreach(lambda row: None)  # expect: foreach
print("sum", spark.sparkContext.parallelize(range(100), 2).sum())  # expect: sum
if os.environ.get("GLUE_STANDIN_CLASSES"):
    from awsglue.data_sink import DataSink

    import tempfile

    glue_out = os.path.join(tempfile.mkdtemp(), "glue")
    DataSink(spark.sparkContext, glue_out).write(spark.sparkContext.parallelize(["a", "b"]))  # expect: write_dynamic_frame
if use_module:
    print("trace id " + str(xray_batch.trace_id()))
spark.stop()
