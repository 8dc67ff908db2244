class DataFrame:
    """The parent of classic's and Connect's DataFrame: every method is the other classes' to implement."""

    def count(self):
        raise NotImplementedError

    def collect(self):
        raise NotImplementedError

    def first(self):
        raise NotImplementedError

    def toPandas(self):
        raise NotImplementedError
