package dev.duplex.engine.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The configuration keys Duplex knows. Any other {@code duplex.*} key is an error naming it. */
public enum ConfigKey {
    HOME("duplex.home", null, "state folder: embedded database, local driver state, logs (default ~/.duplex)"),
    DB_URL("duplex.db.url", null, "JDBC URL of an external PostgreSQL; unset = embedded PostgreSQL under duplex.home"),
    DB_USER("duplex.db.user", "duplex", "database user for duplex.db.url"),
    DB_PASSWORD_FILE("duplex.db.password-file", null, "file holding the database password (never the password itself)"),
    DB_IDLE_STOP("duplex.db.idle-stop", "PT10M", "the embedded PostgreSQL stops after no Duplex process used it for this long; PT0S = when the last one exits (ISO-8601 duration)"),
    DB_POOL_SIZE("duplex.db.pool-size", null, "the most database connections one Duplex process opens, each only when needed (default 10; 'upgrade fleet' raises it to its --max-in-flight + 10 when that is more, within the server's max_connections)"),
    PLUGINS_DIR("duplex.plugins.dir", null, "folder of driver plugins, one sub-folder per plugin (default <install>/plugins)"),
    NODE_NAME("duplex.node.name", null, "this instance's name when several share one database (default host-pid)"),
    LOG_LEVEL("duplex.log.level", "INFO", "level of the log file under duplex.home/logs"),
    LOG_FORMAT("duplex.log.format", "text", "text (one line per event) or json (one JSON object per line, for log shippers)"),
    JOB_STALE_AFTER("duplex.job.stale-after", "PT30S", "a job whose owner sent no heartbeat for this long may be taken over (ISO-8601 duration)"),
    UPGRADE_HEALTH_TIMEOUT("duplex.upgrade.health-timeout", "PT60S", "how long a started VM may take to report healthy (ISO-8601 duration)"),
    UPGRADE_RESYNC_TIMEOUT("duplex.upgrade.resync-timeout", "PT120S", "how long the standby may take to catch up before the switchover (ISO-8601 duration)"),
    UPGRADE_SNAPSHOT_RETENTION("duplex.upgrade.snapshot-retention", "PT24H", "how long the safety snapshots of a finished upgrade are kept before the pair's next upgrade drops them; PT0S = as soon as it succeeds (ISO-8601 duration)"),
    SERVER_PORT("duplex.server.port", "8443", "TCP port of 'duplex server'"),
    SERVER_BIND("duplex.server.bind", "127.0.0.1", "address 'duplex server' listens on"),
    SERVER_TLS_KEYSTORE("duplex.server.tls.keystore", null, "PKCS#12 keystore holding the server's key and certificate (mode 600); unset = plain HTTP"),
    SERVER_TLS_KEYSTORE_PASSWORD_FILE("duplex.server.tls.keystore-password-file", null, "file holding the keystore's password (mode 600)"),
    SERVER_ALLOW_PLAIN_HTTP("duplex.server.allow-plain-http", "false", "serve plain HTTP on a non-loopback address (tokens then cross the network readable)"),
    SERVER_DRAIN_TIMEOUT("duplex.server.drain-timeout", "PT150S", "on SIGTERM, how long running jobs may take to reach their next journal point (ISO-8601 duration)"),
    SERVER_URL("duplex.server.url", null, "the CLI works through this Duplex server (https://host:8443) instead of this host's database; unset = in-process"),
    SERVER_TOKEN_FILE("duplex.server.token-file", null, "file holding the CLI's bearer token for duplex.server.url, mode 600 (default duplex.home/token)");

    private final String key;
    private final String defaultValue;
    private final String description;

    ConfigKey(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }

    /** The environment variable that overrides it: upper case, dots and dashes become underscores. */
    public String environmentVariable() {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static Optional<ConfigKey> byKey(String key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
    }
}
