"""A PySpark 4.x look-alike (laid over the 3.x one): core/ holds RDD and SparkContext under their old
names too, and the JVM DataFrame is sql.classic's; sql.dataframe's is the parent it shares with Connect."""
import sys

from pyspark.version import __version__
from pyspark.core.rdd import RDD
from pyspark.core import rdd, context

sys.modules["pyspark.rdd"] = rdd
from pyspark.core.context import SparkContext  # noqa: E402

sys.modules["pyspark.context"] = context
