from pyspark.sql.session import SparkSession
from pyspark.sql.classic.dataframe import DataFrame
from pyspark.sql.readwriter import DataFrameReader, DataFrameWriter, DataFrameWriterV2
from pyspark.sql.catalog import Catalog
from pyspark.sql.group import GroupedData
