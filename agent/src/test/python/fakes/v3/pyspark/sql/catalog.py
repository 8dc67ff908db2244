class Catalog:
    def __init__(self, spark):
        self._spark = spark

    def listTables(self, dbName=None):
        return ["t1", "t2"]

    def tableExists(self, tableName, dbName=None):
        return tableName in self.listTables(dbName)

    def currentDatabase(self):
        return "default"

    def _internal(self):
        return None
