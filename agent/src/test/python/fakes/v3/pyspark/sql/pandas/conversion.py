class PandasConversionMixin:
    def toPandas(self):
        """Returns the contents as a list (pandas is not needed here)."""
        return [tuple(row) for row in self.collect()]
