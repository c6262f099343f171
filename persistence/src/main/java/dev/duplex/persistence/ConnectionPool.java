package dev.duplex.persistence;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A small bounded pool over a {@link DataSource}: opening a PostgreSQL connection costs a process
 * fork and an authentication round trip (tens of milliseconds), a pooled one nothing. A returned
 * connection is rolled back and put back in auto-commit; one idle for a while is validated before
 * reuse; a broken one is dropped. The project pins no pool library, and this is all Duplex needs.
 */
final class ConnectionPool implements DataSource, AutoCloseable {
    private static final Duration VALIDATE_AFTER_IDLE = Duration.ofSeconds(5);
    private static final Duration BORROW_WAIT = Duration.ofSeconds(60);

    private final DataSource source;
    private final int maxSize;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private int open;
    private boolean closed;

    private record Idle(Connection connection, long since) {}

    ConnectionPool(DataSource source, int maxSize) {
        this.source = source;
        this.maxSize = maxSize;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection raw = borrow();
        return (Connection) Proxy.newProxyInstance(ConnectionPool.class.getClassLoader(), new Class<?>[] {Connection.class},
                new Borrowed(raw));
    }

    private Connection borrow() throws SQLException {
        long deadline = System.nanoTime() + BORROW_WAIT.toNanos();
        synchronized (this) {
            while (true) {
                if (closed) {
                    throw new SQLException("the database connection pool is closed", "08003");
                }
                Idle candidate = idle.pollFirst();
                if (candidate != null) {
                    if (System.nanoTime() - candidate.since() < VALIDATE_AFTER_IDLE.toNanos() || valid(candidate.connection())) {
                        return candidate.connection();
                    }
                    discard(candidate.connection());
                    continue;
                }
                if (open < maxSize) {
                    open++;
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SQLException("all " + maxSize + " database connections stayed busy for " + BORROW_WAIT.toSeconds() + " s", "08001");
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for a database connection", "08001", e);
                }
            }
        }
        try {
            return source.getConnection();
        } catch (SQLException | RuntimeException e) {
            synchronized (this) {
                open--;
                notifyAll();
            }
            throw e;
        }
    }

    private void giveBack(Connection connection) {
        boolean reusable;
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            connection.clearWarnings();
            reusable = !connection.isClosed();
        } catch (SQLException e) {
            reusable = false;
        }
        synchronized (this) {
            if (reusable && !closed) {
                idle.addFirst(new Idle(connection, System.nanoTime()));
            } else {
                discard(connection);
            }
            notifyAll();
        }
    }

    private static boolean valid(Connection connection) {
        try {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Closes a connection that leaves the pool; the caller holds the monitor. */
    private void discard(Connection connection) {
        open--;
        try {
            connection.close();
        } catch (SQLException e) {
            // it is gone either way
        }
    }

    /** Closes the idle connections and refuses new borrowers; borrowed ones close when returned. */
    @Override
    public synchronized void close() {
        closed = true;
        while (!idle.isEmpty()) {
            discard(idle.pollFirst().connection());
        }
        notifyAll();
    }

    /** The handle a borrower holds: {@code close()} gives the connection back instead of closing it. */
    private final class Borrowed implements InvocationHandler {
        private Connection connection;

        Borrowed(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close":
                    synchronized (this) {
                        if (connection != null) {
                            giveBack(connection);
                            connection = null;
                        }
                    }
                    return null;
                case "isClosed":
                    return connection == null || connection.isClosed();
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "pooled " + connection;
                default:
                    if (connection == null) {
                        throw new SQLException("connection already given back to the pool", "08003");
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
            }
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the pool connects as its configured user");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return source.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        source.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        source.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return source.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return source.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return source.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || source.isWrapperFor(type);
    }
}
