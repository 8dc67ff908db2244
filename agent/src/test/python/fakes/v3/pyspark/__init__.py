"""A PySpark 3.x look-alike: the modules, classes and call structure xray_batch patches, no JVM."""
from pyspark.version import __version__
from pyspark.context import SparkContext
from pyspark.rdd import RDD
