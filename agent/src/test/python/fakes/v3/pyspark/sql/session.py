from pyspark.context import SparkContext


class SparkSession:
    def __init__(self, sparkContext=None):
        self.sparkContext = sparkContext or SparkContext.getOrCreate()

    @classmethod
    def getActiveSession(cls):
        return None

    def createDataFrame(self, data, schema=None):
        """Creates a DataFrame."""
        from pyspark.sql.dataframe import DataFrame
        return DataFrame(data, self)

    def sql(self, sqlQuery, args=None, **kwargs):
        """Returns a DataFrame representing the result of the given query."""
        if "missing" in sqlQuery:
            raise LookupError("[TABLE_OR_VIEW_NOT_FOUND] missing")
        from pyspark.sql.dataframe import DataFrame
        return DataFrame([(1,), (2,)], self)

    def table(self, tableName):
        return self.read.table(tableName)

    @property
    def read(self):
        from pyspark.sql.readwriter import DataFrameReader
        return DataFrameReader(self)

    @property
    def catalog(self):
        from pyspark.sql.catalog import Catalog
        return Catalog(self)

    def range(self, start, end=None):
        from pyspark.sql.dataframe import DataFrame
        return DataFrame([(i,) for i in range(start, end)], self)
