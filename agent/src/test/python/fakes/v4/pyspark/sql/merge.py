class MergeIntoWriter:
    def __init__(self, df, table):
        self._df = df

    def merge(self):
        self._df.collect()
