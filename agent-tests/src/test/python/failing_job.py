"""A PySpark job whose Python UDF raises on one record: the action fails, and so does the program."""
from pyspark.sql import SparkSession
from pyspark.sql.functions import udf

spark = SparkSession.builder.appName("pyspark-failing").getOrCreate()
spark.range(100).count()  # expect: count


@udf("long")
def checked(value):
    if value == 7:
        raise ValueError("bad record 7")
    return value


def load():
    return spark.range(0, 10, numPartitions=2).select(checked("id").alias("v")).collect()  # expect: collect


load()
