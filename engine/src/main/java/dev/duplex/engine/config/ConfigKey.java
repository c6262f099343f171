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
    PLUGINS_DIR("duplex.plugins.dir", null, "folder of driver plugins, one sub-folder per plugin (default <install>/plugins)"),
    NODE_NAME("duplex.node.name", null, "this instance's name when several share one database (default host-pid)"),
    LOG_LEVEL("duplex.log.level", "INFO", "level of the log file under duplex.home/logs"),
    JOB_STALE_AFTER("duplex.job.stale-after", "PT30S", "a job whose owner sent no heartbeat for this long may be taken over (ISO-8601 duration)"),
    UPGRADE_HEALTH_TIMEOUT("duplex.upgrade.health-timeout", "PT60S", "how long a started VM may take to report healthy (ISO-8601 duration)"),
    UPGRADE_RESYNC_TIMEOUT("duplex.upgrade.resync-timeout", "PT120S", "how long the standby may take to catch up before the switchover (ISO-8601 duration)");

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
