package dev.duplex.persistence;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;

/**
 * One embedded PostgreSQL for the whole test JVM (under {@code target/pg-home}), on which each
 * test class gets its own fresh database.
 */
final class TestServer implements AutoCloseable {
    static final Path HOME = Path.of("target", "pg-home").toAbsolutePath();

    private final Database embedded;
    private final int port;

    TestServer() {
        embedded = Database.connect(DatabaseConfig.embedded(HOME));
        port = embedded.status().server().orElseThrow().port();
    }

    int port() {
        return port;
    }

    Path home() {
        return HOME;
    }

    /** The JDBC URL of database {@code name} on this server. */
    String url(String name) {
        return "jdbc:postgresql://localhost:" + port + "/" + name;
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
        return Database.start(DatabaseConfig.external(HOME, freshDatabase(name), EmbeddedServer.USER, Optional.empty()));
    }

    void admin(String sql) {
        execute(EmbeddedServer.adminUrl(port), sql);
    }

    static void execute(String url, String sql) {
        try (Connection connection = DriverManager.getConnection(url, EmbeddedServer.USER, "");
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
