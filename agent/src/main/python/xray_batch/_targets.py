"""Which PySpark methods are actions, by the module and class that define them (PySpark 3.3 to 4.x).

A name a version lacks is skipped. Spark Connect's classes (pyspark.sql.connect.*) run nothing in a
JVM here and are left alone. Methods that only build plans (select, filter, join...) are not actions.
"""


class AllPublicExcept:
    """Every public method of the class but these."""

    def __init__(self, *excluded):
        self.excluded = frozenset(excluded)


_DATAFRAME = (
    "count", "collect", "show", "take", "tail", "head", "first", "isEmpty", "foreach", "foreachPartition",
    "toLocalIterator", "toPandas", "toArrow", "checkpoint", "localCheckpoint", "rdd", "approxQuantile",
    "corr", "cov", "_repr_html_",
    # Lists the files behind the plan: S3 listings on the driver.
    "inputFiles",
    # SQL commands Spark runs at once (with a Glue Data Catalog or a Hive metastore behind them).
    "createTempView", "createOrReplaceTempView", "createGlobalTempView", "createOrReplaceGlobalTempView",
)

_RDD = (
    "collect", "count", "sum", "reduce", "fold", "aggregate", "treeReduce", "treeAggregate", "take", "first",
    "top", "takeOrdered", "takeSample", "foreach", "foreachPartition", "countByKey", "countByValue",
    "collectAsMap", "lookup", "isEmpty", "max", "min", "mean", "stats", "histogram", "variance", "stdev",
    "sampleVariance", "sampleStdev", "sortBy", "sortByKey", "zipWithIndex", "toLocalIterator",
    "saveAsTextFile", "saveAsPickleFile", "saveAsSequenceFile", "saveAsHadoopFile", "saveAsHadoopDataset",
    "saveAsNewAPIHadoopFile", "saveAsNewAPIHadoopDataset",
    # Also run jobs.
    "collectWithJobGroup", "countApprox", "sumApprox", "meanApprox", "countApproxDistinct",
    "reduceByKeyLocally",
)

_READER = ("load", "json", "csv", "parquet", "orc", "text", "xml", "table", "jdbc")
_WRITER = ("save", "insertInto", "saveAsTable", "json", "parquet", "text", "csv", "orc", "xml", "jdbc")
_WRITER_V2 = ("create", "replace", "createOrReplace", "append", "overwrite", "overwritePartitions")

# module -> ((class, method names), ...)
ACTIONS = {
    # 3.x; in 4.x pyspark.rdd is another name for pyspark.core.rdd (patched once).
    "pyspark.rdd": (("RDD", _RDD),),
    "pyspark.core.rdd": (("RDD", _RDD),),
    "pyspark.context": (("SparkContext", ("runJob",)),),
    "pyspark.core.context": (("SparkContext", ("runJob",)),),
    # 3.x only: in 4.x this DataFrame is the parent that classic and Connect share (see CLASSIC_ONLY_IN_4).
    "pyspark.sql.dataframe": (("DataFrame", _DATAFRAME),),
    "pyspark.sql.classic.dataframe": (("DataFrame", _DATAFRAME),),
    # toPandas is the mixin's in 3.x; in 4.x classic's toPandas calls it (one action, by depth).
    "pyspark.sql.pandas.conversion": (("PandasConversionMixin", ("toPandas", "toArrow")),),
    "pyspark.sql.readwriter": (
        ("DataFrameReader", _READER),
        ("DataFrameWriter", _WRITER),
        ("DataFrameWriterV2", _WRITER_V2),
    ),
    # spark.table is DataFrameReader.table's twin: analysis, and on Glue a Data Catalog call.
    "pyspark.sql.session": (("SparkSession", ("sql", "createDataFrame", "table")),),
    # On Glue the Catalog's methods call the Glue Data Catalog; these few only read or change the session's
    # own state, and tracing one (two py4j round trips, ~0.1 ms) would cost more than the call.
    "pyspark.sql.catalog": (("Catalog", AllPublicExcept("currentDatabase", "currentCatalog", "isCached",
                                                         "dropTempView", "dropGlobalTempView",
                                                         "registerFunction")),),
    # pivot without values runs a job to find them.
    "pyspark.sql.group": (("GroupedData", ("pivot",)),),
    "pyspark.sql.merge": (("MergeIntoWriter", ("merge",)),),
}

# Where the SparkContext is defined: its gateway is where the bridge is found.
CONTEXT_MODULES = ("pyspark.context", "pyspark.core.context")

# From PySpark 4 on, pyspark.sql.dataframe.DataFrame is abstract and the JVM one is in sql.classic.
CLASSIC_ONLY_IN_4 = "pyspark.sql.dataframe"
