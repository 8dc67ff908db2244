class DataFrame:
    """Spark Connect's: runs nothing in a JVM here, so it is left alone."""

    def count(self):
        return 0
