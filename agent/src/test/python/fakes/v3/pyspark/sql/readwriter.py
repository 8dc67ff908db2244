class DataFrameReader:
    def __init__(self, spark):
        self._spark = spark

    def load(self, path=None, format=None):
        return self._spark.sql("select * from " + str(path))

    def parquet(self, *paths):
        return self.load(paths[0], "parquet")

    def table(self, tableName):
        return self._spark.sql("select * from " + tableName)


class DataFrameWriter:
    def __init__(self, df):
        self._df = df
        self.saved = []

    def save(self, path=None, format=None):
        self.saved.append((path, format, self._df.count()))

    def parquet(self, path, mode=None):
        self.save(path, "parquet")

    def mode(self, saveMode):
        return self


class DataFrameWriterV2:
    def __init__(self, df, table):
        self._df = df

    def append(self):
        self._df.collect()
