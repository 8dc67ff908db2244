package dev.xraybatch.agenttests.outbound;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * One statement of each kind through JDBC, directly from the driver or through a HikariCP pool (whose statement
 * wrappers call the driver's: one call each in the trace), printing {@code outcome <label> <result>} lines.
 * Arguments: {@code direct|pool}, the JDBC URL, user, password. Every literal it sends contains
 * {@link #SECRET_TEXT} or {@link #SECRET_NUMBER}: no document may hold either.
 *
 * <ol>
 *   <li>{@code create}: Statement.execute (DDL);</li>
 *   <li>{@code insert}: Statement.executeUpdate with literals;</li>
 *   <li>{@code select}: PreparedStatement.executeQuery, a bound value;</li>
 *   <li>{@code batch}: PreparedStatement.executeBatch of three rows;</li>
 *   <li>{@code call}: CallableStatement.execute;</li>
 *   <li>{@code duplicate}: a failing insert (SQL state 23505), caught;</li>
 *   <li>{@code drop}: Statement.execute.</li>
 * </ol>
 */
public final class JdbcJob {
    static final String SECRET_TEXT = "Confidential-Customer-Name";
    static final String SECRET_NUMBER = "424242424242";

    private JdbcJob() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[1];
        String table = "outbound_" + ProcessHandle.current().pid();
        if (args[0].equals("pool")) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setUsername(args[2]);
            config.setPassword(args[3]);
            config.setMaximumPoolSize(2);
            try (HikariDataSource pool = new HikariDataSource(config); Connection c = pool.getConnection()) {
                run(c, table);
            }
        } else {
            try (Connection c = DriverManager.getConnection(url, args[2], args[3])) {
                run(c, table);
            }
        }
    }

    private static void run(Connection c, String table) throws SQLException {
        boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name VARCHAR(100))");
            System.out.println("outcome create ok");
            int inserted = s.executeUpdate("INSERT INTO " + table + " VALUES (" + SECRET_NUMBER + ", '"
                    + SECRET_TEXT + "')");
            System.out.println("outcome insert " + inserted);
        }
        try (PreparedStatement select = c.prepareStatement("SELECT name FROM " + table + " WHERE id = ?")) {
            select.setLong(1, Long.parseLong(SECRET_NUMBER));
            try (ResultSet rows = select.executeQuery()) {
                System.out.println("outcome select " + (rows.next() ? "found" : "none"));
            }
        }
        try (PreparedStatement batch = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
            for (int i = 1; i <= 3; i++) {
                batch.setLong(1, i);
                batch.setString(2, SECRET_TEXT + i);
                batch.addBatch();
            }
            System.out.println("outcome batch " + batch.executeBatch().length);
        }
        String callText = postgres ? "{? = call abs(-" + SECRET_NUMBER + ")}" : "{? = call ABS(-" + SECRET_NUMBER + ")}";
        try (CallableStatement call = c.prepareCall(callText)) {
            call.registerOutParameter(1, java.sql.Types.BIGINT);
            call.execute();
            System.out.println("outcome call " + (call.getLong(1) > 0 ? "positive" : "other"));
        }
        try (Statement s = c.createStatement()) {
            try {
                s.executeUpdate("INSERT INTO " + table + " VALUES (" + SECRET_NUMBER + ", '" + SECRET_TEXT + "')");
                System.out.println("outcome duplicate inserted");
            } catch (SQLException expected) {
                System.out.println("outcome duplicate " + expected.getSQLState());
            }
            s.execute("DROP TABLE " + table);
            System.out.println("outcome drop ok");
        }
    }
}
