package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/** The pool as Duplex configures HikariCP: over pgjdbc on the Unix socket (junixsocket), reusing and resetting connections. */
@ExtendWith(PostgresExtension.class)
class ConnectionPoolTest {
    private static PGSimpleDataSource source(TestServer server, String password) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(server.url("postgres"));
        source.setUser(TestServer.SUPERUSER);
        source.setPassword(password);
        return source;
    }

    private static HikariDataSource pool(TestServer server, int size) throws SQLException {
        return PooledConnections.open(source(server, TestServer.superuserPassword()), size, "test");
    }

    private static long backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); var rows = statement.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void aReturnedConnectionIsReusedRolledBackAndInAutoCommit(TestServer server) throws Exception {
        try (HikariDataSource pool = pool(server, 2)) {
            long pid;
            try (Connection connection = pool.getConnection()) {
                pid = backendPid(connection);
                connection.setAutoCommit(false);
                connection.createStatement().execute("CREATE TEMP TABLE t (x int)");
            }
            try (Connection connection = pool.getConnection()) {
                assertEquals(pid, backendPid(connection), "the same server connection");
                assertTrue(connection.getAutoCommit());
                assertThrows(SQLException.class, () -> connection.createStatement().execute("SELECT * FROM t"),
                        "the abandoned transaction was rolled back");
            }
            Connection given = pool.getConnection();
            given.close();
            assertTrue(given.isClosed());
            assertThrows(SQLException.class, given::createStatement);
        }
    }

    @Test
    void borrowersWaitWhenAllConnectionsAreBusy(TestServer server) throws Exception {
        try (HikariDataSource pool = pool(server, 1)) {
            Connection first = pool.getConnection();
            CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> {
                try (Connection connection = pool.getConnection()) {
                    return backendPid(connection);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200);
            assertTrue(!second.isDone(), "waits for the only connection");
            long pid = backendPid(first);
            first.close();
            assertEquals(pid, second.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClosedPoolRefusesBorrowers(TestServer server) throws SQLException {
        HikariDataSource pool = pool(server, 1);
        pool.close();
        assertThrows(SQLException.class, pool::getConnection);
    }

    @Test
    void aWrongPasswordFailsWhenThePoolOpensWithTheServersOwnError(TestServer server) {
        SQLException e = assertThrows(SQLException.class, () -> PooledConnections.open(source(server, "wrong"), 2, "test").close());
        assertEquals("28P01", e.getSQLState(), e.toString());
    }
}
