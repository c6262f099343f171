package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.Redaction;
import dev.duplex.api.SecretFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where Duplex keeps its database.
 *
 * <p>With no {@code url}, Duplex runs an embedded PostgreSQL with its data under
 * {@code <home>/db/}. With a {@code url} it uses that server, as {@code user}, with the password
 * read from {@code passwordFile} when it connects. The password itself is never held here, and
 * {@link #toString()} redacts any secret in the URL.
 *
 * @param home the Duplex home folder ({@code $DUPLEX_HOME} or {@code ~/.duplex})
 * @param url a JDBC URL of an external PostgreSQL, or empty for the embedded one
 * @param user the user to connect as on an external server
 * @param passwordFile the file holding that user's password (first line)
 * @param idleStop how long the embedded PostgreSQL stays up after the last Duplex process using it
 *     exits, so that the next command finds it running; zero stops it with the last process
 * @param poolSize the most connections this process opens (each only when needed); a fleet
 *     raises it for its in-flight pairs ({@link Database#ensureConnections(int)})
 */
public record DatabaseConfig(Path home, Optional<String> url, Optional<String> user, Optional<Path> passwordFile, Duration idleStop,
        int poolSize) {
    /** The property naming an external server's JDBC URL. */
    public static final String URL_PROPERTY = "duplex.db.url";
    /** The property naming the user on an external server. */
    public static final String USER_PROPERTY = "duplex.db.user";
    /** The property naming the file that holds the user's password. */
    public static final String PASSWORD_FILE_PROPERTY = "duplex.db.password-file";
    /** The property naming how long the embedded server stays up unused. */
    public static final String IDLE_STOP_PROPERTY = "duplex.db.idle-stop";
    /** The property naming the most connections one process opens. */
    public static final String POOL_SIZE_PROPERTY = "duplex.db.pool-size";
    /**
     * Connections one process opens at most unless configured: a command uses one or two, a
     * server's jobs a few each; connections are opened only when needed, so a larger bound costs
     * nothing until it is used.
     */
    public static final int DEFAULT_POOL_SIZE = 10;
    /** More than any PostgreSQL server grants one client (the embedded one allows 300 in all). */
    public static final int MAX_POOL_SIZE = 1000;
    /** Ten years: longer means "never", and would overflow the instants the deadline is kept as. */
    public static final Duration MAX_IDLE_STOP = Duration.ofDays(3650);

    public DatabaseConfig {
        if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
            throw new IllegalArgumentException(POOL_SIZE_PROPERTY + " must be from 1 to " + MAX_POOL_SIZE + " connections, got " + poolSize);
        }
        requireNonNull(idleStop, "idleStop is null");
        if (idleStop.isNegative() || idleStop.compareTo(MAX_IDLE_STOP) > 0) {
            throw new IllegalArgumentException(IDLE_STOP_PROPERTY + " must be from PT0S to " + MAX_IDLE_STOP + ", got " + idleStop);
        }
        requireNonNull(home, "home is null");
        requireNonNull(url, "url is null");
        requireNonNull(user, "user is null");
        requireNonNull(passwordFile, "passwordFile is null");
        home = home.toAbsolutePath().normalize();
        url = url.map(String::strip).filter(u -> !u.isEmpty());
        if (url.isPresent() && !url.get().startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(URL_PROPERTY + " must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), got "
                    + Redaction.redactUri(url.get()));
        }
    }

    /** With the default pool size. */
    public DatabaseConfig(Path home, Optional<String> url, Optional<String> user, Optional<Path> passwordFile, Duration idleStop) {
        this(home, url, user, passwordFile, idleStop, DEFAULT_POOL_SIZE);
    }

    /** Without an idle time: an embedded server stops when the last process using it exits (programs and tests). */
    public DatabaseConfig(Path home, Optional<String> url, Optional<String> user, Optional<Path> passwordFile) {
        this(home, url, user, passwordFile, Duration.ZERO);
    }

    /** The embedded database under {@code home}, stopped when the last process using it exits. */
    public static DatabaseConfig embedded(Path home) {
        return new DatabaseConfig(home, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The embedded database under {@code home}, left running for {@code idleStop} after its last use. */
    public static DatabaseConfig embedded(Path home, Duration idleStop) {
        return new DatabaseConfig(home, Optional.empty(), Optional.empty(), Optional.empty(), idleStop);
    }

    /** An external server. */
    public static DatabaseConfig external(Path home, String url, String user, Optional<Path> passwordFile) {
        return new DatabaseConfig(home, Optional.of(url), Optional.of(user), passwordFile);
    }

    /**
     * Reads {@value #URL_PROPERTY}, {@value #USER_PROPERTY} and {@value #PASSWORD_FILE_PROPERTY}
     * from configuration properties; without a URL the result is the embedded database.
     */
    public static DatabaseConfig fromProperties(Path home, Map<String, String> properties) {
        return new DatabaseConfig(home,
                Optional.ofNullable(properties.get(URL_PROPERTY)),
                Optional.ofNullable(properties.get(USER_PROPERTY)),
                Optional.ofNullable(properties.get(PASSWORD_FILE_PROPERTY)).map(Path::of),
                Optional.ofNullable(properties.get(IDLE_STOP_PROPERTY)).map(Duration::parse).orElse(Duration.ZERO),
                Optional.ofNullable(properties.get(POOL_SIZE_PROPERTY)).map(DatabaseConfig::poolSize).orElse(DEFAULT_POOL_SIZE));
    }

    private static int poolSize(String value) {
        String digits = value.strip();
        if (!digits.matches("[0-9]{1,4}")) { // ASCII only: parseInt would take other scripts' digits
            throw new IllegalArgumentException(POOL_SIZE_PROPERTY + " must be a whole number of connections from 1 to " + MAX_POOL_SIZE
                    + ", got '" + digits.codePoints().limit(40).mapToObj(c -> Character.isISOControl(c) ? "?" : Character.toString(c))
                    .collect(java.util.stream.Collectors.joining()) + "'");
        }
        return Integer.parseInt(digits);
    }

    /** The same database with at most {@code connections} connections. */
    public DatabaseConfig withPoolSize(int connections) {
        return new DatabaseConfig(home, url, user, passwordFile, idleStop, connections);
    }

    /** The Duplex home folder: {@code $DUPLEX_HOME} if set, otherwise {@code ~/.duplex}. */
    public static Path defaultHome(Map<String, String> environment) {
        String configured = environment.get("DUPLEX_HOME");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".duplex");
    }

    /** True when Duplex runs its own embedded PostgreSQL. */
    public boolean isEmbedded() {
        return url.isEmpty();
    }

    /** The folder of the embedded database: {@code <home>/db}. */
    public Path embeddedFolder() {
        return home.resolve("db");
    }

    /** The URL with secrets masked, for messages; {@code embedded} when there is none. */
    public String redactedUrl() {
        return url.map(Redaction::redactUri).orElse("embedded");
    }

    /**
     * Reads the password from {@link #passwordFile()}: its first line, without the line end.
     * Empty when no password file is configured.
     */
    Optional<String> readPassword() {
        if (passwordFile.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SecretFile(passwordFile.get(), PASSWORD_FILE_PROPERTY).firstLine());
        } catch (IllegalArgumentException e) {
            throw new DatabaseException(e.getMessage(), null);
        }
    }

    @Override
    public String toString() {
        return "DatabaseConfig[home=" + home + ", url=" + redactedUrl() + ", user=" + user.orElse("-")
                + ", passwordFile=" + passwordFile.map(Path::toString).orElse("-") + ", idleStop=" + idleStop + ", poolSize=" + poolSize + "]";
    }
}
