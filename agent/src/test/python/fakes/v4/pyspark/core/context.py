import threading

from pyspark.java_gateway import launch_gateway
from pyspark.traceback_utils import first_spark_call
import fake_jvm


class SparkContext:
    _gateway = None
    _jvm = None
    _active_spark_context = None
    _lock = threading.RLock()

    def __init__(self, master=None, appName=None):
        """Create a SparkContext."""
        self._callsite = first_spark_call()
        SparkContext._ensure_initialized(self)
        self._jsc = object()  # the JavaSparkContext: the JVM SparkContext (and its plugins) exist now
        fake_jvm.context_created()

    @classmethod
    def _ensure_initialized(cls, instance=None, gateway=None, conf=None):
        with SparkContext._lock:
            if not SparkContext._gateway:
                SparkContext._gateway = gateway or launch_gateway(conf)
                SparkContext._jvm = SparkContext._gateway.jvm
            if instance:
                if SparkContext._active_spark_context and SparkContext._active_spark_context != instance:
                    raise ValueError("Cannot run multiple SparkContexts at once")
                SparkContext._active_spark_context = instance

    @classmethod
    def getOrCreate(cls, conf=None):
        with SparkContext._lock:
            if SparkContext._active_spark_context is None:
                SparkContext()
            return SparkContext._active_spark_context

    def parallelize(self, data, numSlices=None):
        from pyspark.core.rdd import RDD
        return RDD(list(data), self)

    def runJob(self, rdd, partitionFunc, partitions=None, allowLocal=False):
        """Runs partitionFunc on the RDD."""
        return list(partitionFunc(iter(rdd._data)))

    def stop(self):
        with SparkContext._lock:
            SparkContext._active_spark_context = None
