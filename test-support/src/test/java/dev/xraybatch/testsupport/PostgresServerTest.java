package dev.xraybatch.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresServerTest {
    @Test
    void givesADatabaseItsUserReachesWithThePasswordOnly() throws Exception {
        PostgresServer server = PostgresServer.find();
        assumeTrue(server != null, () -> "skipped: " + PostgresServer.whyNot());

        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT current_user, current_database()")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo(server.user());
        }
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), server.user(), "wrong"))
                .isInstanceOf(SQLException.class);
    }
}
