from pyspark.rdd import RDD
from pyspark.sql.pandas.conversion import PandasConversionMixin


class DataFrame(PandasConversionMixin):
    def __init__(self, rows, session):
        self._rows = list(rows)
        self.sparkSession = session
        self._sc = session.sparkContext
        self._lazy_rdd = None

    @property
    def rdd(self):
        """Returns the content as an RDD of Row."""
        if self._lazy_rdd is None:
            self._lazy_rdd = RDD(list(self._rows), self._sc)
        return self._lazy_rdd

    @property
    def write(self):
        from pyspark.sql.readwriter import DataFrameWriter
        return DataFrameWriter(self)

    def count(self):
        """Returns the number of rows."""
        return len(self._rows)

    def collect(self):
        """Returns all the records as a list of Row."""
        if not self._rows and getattr(self, "fail_when_empty", False):
            raise ValueError("nothing to collect")
        return list(self._rows)

    def limit(self, num):
        return DataFrame(self._rows[:num], self.sparkSession)

    def take(self, num):
        return self.limit(num).collect()

    def head(self, n=None):
        if n is None:
            rs = self.head(1)
            return rs[0] if rs else None
        return self.take(n)

    def first(self):
        """Returns the first row as a Row."""
        return self.head()

    def foreach(self, f):
        self.rdd.foreach(f)

    def show(self, n=20, truncate=True, vertical=False):
        print("\n".join(str(row) for row in self._rows[:n]))

    def toLocalIterator(self, prefetchPartitions=False):
        return iter(list(self._rows))

    def select(self, *cols):
        return self
