package dev.duplex.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool.PoolInitializationException;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The connection pool of one Duplex process: HikariCP over a configured {@link DataSource} (on the
 * embedded server, pgjdbc through junixsocket's socket factory, which Hikari leaves alone since
 * it only calls {@code getConnection()}). A returned connection is rolled back when its
 * transaction was left open and put back in auto-commit.
 */
final class PooledConnections {
    /** Long enough for a migration or a job's transaction to give a connection back. */
    private static final Duration BORROW_WAIT = Duration.ofSeconds(60);

    private PooledConnections() {}

    /**
     * Opens a pool of at most {@code maxSize} connections and its first connection, so that a
     * wrong password or an unreachable server fails here, at once, with the driver's own error.
     * Idle connections are not kept beyond the first: a CLI command needs one or two.
     */
    static HikariDataSource open(DataSource source, int maxSize, String name) throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setDataSource(source);
        config.setPoolName(name);
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(BORROW_WAIT.toMillis());
        config.setValidationTimeout(Duration.ofSeconds(2).toMillis());
        config.setInitializationFailTimeout(1);
        config.setAutoCommit(true);
        config.setRegisterMbeans(false);
        try {
            return new HikariDataSource(config);
        } catch (PoolInitializationException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException(e.getMessage(), "08001", e);
        }
    }
}
