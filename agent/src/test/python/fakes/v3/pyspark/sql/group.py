class GroupedData:
    def __init__(self, df):
        self._df = df

    def pivot(self, pivot_col, values=None):
        if values is None:
            values = sorted(set(self._df.collect()))
        return self

    def count(self):
        return self._df
