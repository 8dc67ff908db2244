from pyspark.traceback_utils import first_spark_call


class RDD:
    """As PySpark's, actions call each other: count -> sum -> fold -> collect."""

    def __init__(self, data, ctx):
        self._data = data
        self.ctx = ctx
        self.call_sites = []

    def collect(self):
        """Return a list that contains all the elements in this RDD."""
        self.call_sites.append(first_spark_call())
        return list(self._data)

    def mapPartitions(self, f):
        return RDD(list(f(iter(self._data))), self.ctx)

    def fold(self, zeroValue, op):
        result = zeroValue
        for value in self.mapPartitions(lambda it: it).collect():
            result = op(result, value)
        return result

    def sum(self):
        return self.fold(0, lambda a, b: a + b)

    def count(self):
        return self.mapPartitions(lambda it: [sum(1 for _ in it)]).sum()

    def foreach(self, f):
        def processPartition(iterator):
            for x in iterator:
                f(x)
            return iter([])
        self.mapPartitions(processPartition).count()

    def take(self, num):
        return self.collect()[:num]

    def first(self):
        rs = self.take(1)
        if rs:
            return rs[0]
        raise ValueError("RDD is empty")

    def toLocalIterator(self, prefetchPartitions=False):
        return iter(list(self._data))

    @staticmethod
    def _computeFractionForSampleSize(sampleSizeLowerBound, total, withReplacement):
        return 0.5

    def map(self, f):
        return RDD([f(x) for x in self._data], self.ctx)
