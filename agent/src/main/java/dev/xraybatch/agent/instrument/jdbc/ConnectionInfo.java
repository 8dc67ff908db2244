package dev.xraybatch.agent.instrument.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What a statement's subsegment says of its connection: the {@code database@host} name and X-Ray's {@code sql}
 * fields that do not change per query. Read once from {@link Connection#getMetaData()} and kept twice: weakly by
 * connection object (the hot path: one map lookup), and by URL and user (a pool hands out a new wrapper per
 * borrow over the same few physical connections: the second cache spares the version queries). Never holds a
 * connection strongly.
 */
final class ConnectionInfo {
    /** The same connection for the same URL and user: distinct configurations a job uses are few. */
    private static final int BY_URL_KEPT = 64;
    private static final ConnectionInfo UNKNOWN = new ConnectionInfo("database", null, null, null, null, null,
            false);

    final String name;
    final String url;
    final String databaseType;
    final String databaseVersion;
    final String driverVersion;
    final String user;
    final boolean doubleQuotesAreIdentifiers;

    ConnectionInfo(String name, String url, String databaseType, String databaseVersion, String driverVersion,
                   String user, boolean doubleQuotesAreIdentifiers) {
        this.name = name;
        this.url = url;
        this.databaseType = databaseType;
        this.databaseVersion = databaseVersion;
        this.driverVersion = driverVersion;
        this.user = user;
        this.doubleQuotesAreIdentifiers = doubleQuotesAreIdentifiers;
    }

    /** Caches of one recorder; every method is safe from any thread. */
    static final class Cache {
        private final Map<Connection, ConnectionInfo> byConnection = new WeakHashMap<>();
        private final Map<String, ConnectionInfo> byUrl = new LinkedHashMap<String, ConnectionInfo>(16, 0.75f,
                true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ConnectionInfo> eldest) {
                return size() > BY_URL_KEPT;
            }
        };

        /**
         * The connection's info; metadata calls run the driver (some send a query): the caller has raised the
         * thread's JDBC depth so that those are not recorded. A driver that fails them gets a plain name.
         */
        ConnectionInfo of(Connection connection) {
            if (connection == null) {
                return UNKNOWN;
            }
            ConnectionInfo known;
            synchronized (byConnection) {
                known = byConnection.get(connection);
            }
            if (known != null) {
                return known;
            }
            ConnectionInfo info;
            try {
                info = read(connection);
            } catch (Throwable driverFailed) {
                info = UNKNOWN;
            }
            synchronized (byConnection) {
                byConnection.put(connection, info);
            }
            return info;
        }

        private ConnectionInfo read(Connection connection) throws Exception {
            DatabaseMetaData meta = connection.getMetaData();
            String rawUrl = meta.getURL();
            String user = quietly(meta, "user");
            String key = rawUrl + '\n' + user;
            synchronized (byUrl) {
                ConnectionInfo known = byUrl.get(key);
                if (known != null) {
                    return known;
                }
            }
            String type = quietly(meta, "type");
            String host = JdbcUrls.host(rawUrl);
            String database = catalog(connection);
            String name;
            if (database != null && host != null) {
                name = database + "@" + host;
            } else if (database != null) {
                name = database;
            } else {
                name = host != null ? "database@" + host : "database";
            }
            ConnectionInfo info = new ConnectionInfo(name, JdbcUrls.withoutCredentials(rawUrl), type,
                    quietly(meta, "version"), quietly(meta, "driver"), user, doubleQuotesAreIdentifiers(type));
            synchronized (byUrl) {
                byUrl.put(key, info);
            }
            return info;
        }

        private static String catalog(Connection connection) {
            try {
                String catalog = connection.getCatalog();
                return catalog == null || catalog.isEmpty() ? null : catalog;
            } catch (Throwable unsupported) {
                return null;
            }
        }

        /** One optional metadata field; a driver may not support it. */
        private static String quietly(DatabaseMetaData meta, String field) {
            try {
                String value;
                if (field.equals("user")) {
                    value = meta.getUserName();
                } else if (field.equals("type")) {
                    value = meta.getDatabaseProductName();
                } else if (field.equals("version")) {
                    value = meta.getDatabaseProductVersion();
                } else {
                    value = meta.getDriverVersion();
                }
                return value == null || value.isEmpty() ? null : value;
            } catch (Throwable unsupported) {
                return null;
            }
        }
    }

    /**
     * Databases whose {@code "x"} is a name, never a string. Elsewhere (MySQL, MariaDB, anything not known) a
     * double-quoted text is taken for a literal: hiding a name is better than showing a value.
     */
    static boolean doubleQuotesAreIdentifiers(String databaseType) {
        if (databaseType == null) {
            return false;
        }
        String t = databaseType.toLowerCase(Locale.ROOT);
        if (t.contains("mysql") || t.contains("mariadb")) {
            return false;
        }
        String[] standard = {"postgres", "h2", "hsql", "oracle", "microsoft sql server", "db2", "derby", "sqlite",
            "redshift", "snowflake", "trino", "presto", "duckdb", "cockroach"};
        for (String s : standard) {
            if (t.contains(s)) {
                return true;
            }
        }
        return false;
    }
}
