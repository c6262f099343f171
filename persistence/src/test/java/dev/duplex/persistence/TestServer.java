package dev.duplex.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;

/**
 * One embedded PostgreSQL for the whole test JVM (under {@code target/pg-home}), on which each
 * test class gets its own fresh database. Tests use it as an external server, as its superuser
 * (with the password from its 0600 file), through its Unix socket: it has no TCP listener.
 */
final class TestServer implements AutoCloseable {
    static final Path HOME = Path.of("target", "pg-home").toAbsolutePath();
    static final String SUPERUSER = Cluster.SUPERUSER;
    static final Path SUPERUSER_PASSWORD = HOME.resolve("db").resolve(ClusterPasswords.SUPERUSER_FILE);

    private final Database embedded;
    private final int port;
    private final Path socket;

    TestServer() {
        embedded = Database.connect(DatabaseConfig.embedded(HOME));
        port = embedded.status().server().orElseThrow().port();
        socket = embedded.status().server().orElseThrow().socket();
    }

    int port() {
        return port;
    }

    Path home() {
        return HOME;
    }

    /** The JDBC URL of database {@code name} on this server (through its socket). */
    String url(String name) {
        return EmbeddedServer.url(socket, port, name);
    }

    Path socket() {
        return socket;
    }

    /** The superuser's password, from its file. */
    static String superuserPassword() {
        try {
            return Files.readString(SUPERUSER_PASSWORD).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Database {@code url} used as an external server, as the superuser. */
    static DatabaseConfig asSuperuser(String url) {
        return DatabaseConfig.external(HOME, url, SUPERUSER, Optional.of(SUPERUSER_PASSWORD));
    }

    /** Drops and creates database {@code name}: empty, no Duplex schema yet. */
    String freshDatabase(String name) {
        String database = name.toLowerCase(Locale.ROOT);
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        admin("CREATE DATABASE " + database);
        return url(database);
    }

    /** A migrated Duplex database of its own, as an external server would be used. */
    Database startFresh(String name) {
        return Database.start(asSuperuser(freshDatabase(name)));
    }

    void admin(String sql) {
        execute(url("postgres"), sql);
    }

    static void execute(String url, String sql) {
        try (Connection connection = DriverManager.getConnection(url, SUPERUSER, superuserPassword());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        embedded.close();
    }
}
