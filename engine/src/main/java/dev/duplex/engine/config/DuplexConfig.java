package dev.duplex.engine.config;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.Redaction;
import dev.duplex.api.SecretFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Duplex's configuration, resolved one way everywhere (CLI and server):
 * the installation's {@code conf/duplex.properties}, overridden by a file given with
 * {@code --config}, overridden by environment variables ({@code duplex.db.url} ←
 * {@code DUPLEX_DB_URL}), overridden by {@code -D} system properties. Unknown
 * {@code duplex.*} keys in a file or a system property are an error naming the key and its
 * source, since a misspelt key silently ignored is a setting that silently does nothing.
 *
 * @param values the resolved values (defaults included)
 * @param sources where each value came from, for {@code duplex config} and error messages
 */
public record DuplexConfig(Map<ConfigKey, String> values, Map<ConfigKey, String> sources) {
    public DuplexConfig {
        values = Map.copyOf(requireNonNull(values, "values is null"));
        sources = Map.copyOf(requireNonNull(sources, "sources is null"));
    }

    /**
     * Resolves the configuration.
     *
     * @param files property files, lowest precedence first (installation file, then --config); absent ones are skipped
     *     unless listed in {@code required}
     * @param required files that must exist (the one named by --config)
     * @param environment the process environment
     * @param systemProperties the JVM's system properties
     */
    public static DuplexConfig resolve(List<Path> files, List<Path> required, Map<String, String> environment,
            Properties systemProperties) {
        Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
        Map<ConfigKey, String> sources = new EnumMap<>(ConfigKey.class);
        for (ConfigKey key : ConfigKey.values()) {
            key.defaultValue().ifPresent(v -> {
                values.put(key, v);
                sources.put(key, "default");
            });
        }
        for (Path file : files) {
            if (!Files.exists(file)) {
                if (required.contains(file)) {
                    throw new ConfigException("Configuration file " + file + " does not exist");
                }
                continue;
            }
            Properties properties = readFile(file);
            for (String name : properties.stringPropertyNames()) {
                ConfigKey key = known(name, file.toString());
                values.put(key, properties.getProperty(name).trim());
                sources.put(key, file.toString());
            }
        }
        checkEnvironmentNames(environment);
        for (ConfigKey key : ConfigKey.values()) {
            String value = environment.get(key.environmentVariable());
            if (value != null && !value.isBlank()) {
                values.put(key, value.trim());
                sources.put(key, "environment variable " + key.environmentVariable());
            }
        }
        for (String name : systemProperties.stringPropertyNames()) {
            if (name.startsWith("duplex.") && !name.startsWith("duplex.internal.")) {
                ConfigKey key = known(name, "system property -D" + name);
                values.put(key, systemProperties.getProperty(name).trim());
                sources.put(key, "system property -D" + name);
            }
        }
        DuplexConfig config = new DuplexConfig(values, sources);
        config.validate();
        return config;
    }

    /** The largest configuration file read: a properties file of Duplex's keys is a few KiB. */
    private static final long MAX_FILE_BYTES = 1 << 20;
    /** The most connections duplex.db.pool-size may ask for: more than any PostgreSQL server would grant one process. */
    public static final int MAX_POOL_SIZE = 1000;
    /** Log levels logback accepts for duplex.log.level. */
    private static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    /**
     * {@code DUPLEX_*} variables that are not settings: the launcher's, and those Duplex gives to VMs
     * and role-controller hooks (a hook may call {@code duplex} with them still set).
     */
    private static final Set<String> OTHER_VARIABLES = Set.of("DUPLEX_JAVA_OPTS", "DUPLEX_INSTALL", "DUPLEX_VM_NAME",
            "DUPLEX_VM_ID", "DUPLEX_VM_REF", "DUPLEX_VM_ROOT", "DUPLEX_VM_TOKEN", "DUPLEX_ROLE", "DUPLEX_PAIR", "DUPLEX_MEMBER",
            "DUPLEX_MEMBERS", "DUPLEX_SYSTEM", "DUPLEX_OPERATION", "DUPLEX_ENDPOINT", "DUPLEX_IMAGE_VERSION");

    private static Properties readFile(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("Configuration file " + file + " is not a regular file; give a properties file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException("Configuration file " + file + " is " + Files.size(file) + " bytes, more than a "
                        + "configuration file holds (" + MAX_FILE_BYTES + "); check that it names the right file");
            }
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t' && c != '\f') {
                    throw new ConfigException("Configuration file " + file + " holds a control character (line "
                            + (text.substring(0, i).lines().count() + (text.substring(0, i).endsWith("\n") ? 1 : 0))
                            + "); it is not a text properties file");
                }
            }
            Properties properties = new Properties();
            properties.load(new java.io.StringReader(text));
            return properties;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException("Configuration file " + file + " is not UTF-8 text (is it a binary file?); give a properties file", e);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Configuration file " + file + " is not a valid properties file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConfigException("Cannot read configuration file " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    /** A DUPLEX_* variable that is no setting is most likely a misspelt one, which would silently do nothing. */
    private static void checkEnvironmentNames(Map<String, String> environment) {
        for (String name : new java.util.TreeSet<>(environment.keySet())) {
            if (!name.startsWith("DUPLEX_") || OTHER_VARIABLES.contains(name)) {
                continue;
            }
            boolean known = java.util.Arrays.stream(ConfigKey.values()).anyMatch(k -> k.environmentVariable().equals(name));
            if (!known) {
                List<String> names = java.util.Arrays.stream(ConfigKey.values()).map(ConfigKey::environmentVariable).toList();
                throw new ConfigException("Unknown environment variable " + printable(name) + closest(name, names)
                        + "; unset it if it is not meant for Duplex. The DUPLEX_* settings are " + String.join(", ", names));
            }
        }
    }

    private static ConfigKey known(String name, String source) {
        return ConfigKey.byKey(name).orElseThrow(() -> new ConfigException(
                "Unknown configuration key '" + printable(name) + "' in " + source
                        + closest(name, java.util.Arrays.stream(ConfigKey.values()).map(ConfigKey::key).toList())
                        + "; known keys: " + knownKeys()));
    }

    /** "; did you mean X?" for the known name nearest to a misspelt one, or nothing when none is near. */
    private static String closest(String name, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = editDistance(name.toLowerCase(java.util.Locale.ROOT), candidate.toLowerCase(java.util.Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= Math.max(2, best.length() / 4) ? " (did you mean " + best + "?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** A name from outside, with control characters shown escaped so they cannot act on the terminal. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(200).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static String knownKeys() {
        StringBuilder out = new StringBuilder();
        for (ConfigKey k : ConfigKey.values()) {
            out.append(out.length() == 0 ? "" : ", ").append(k.key());
        }
        return out.toString();
    }

    private void validate() {
        for (ConfigKey key : List.of(ConfigKey.JOB_STALE_AFTER, ConfigKey.UPGRADE_HEALTH_TIMEOUT, ConfigKey.UPGRADE_RESYNC_TIMEOUT,
                ConfigKey.SERVER_DRAIN_TIMEOUT)) {
            if (duration(key).isNegative() || duration(key).isZero()) {
                throw invalid(key, "must be a positive ISO-8601 duration such as PT30S");
            }
        }
        if (duration(ConfigKey.UPGRADE_SNAPSHOT_RETENTION).isNegative()) {
            throw invalid(ConfigKey.UPGRADE_SNAPSHOT_RETENTION, "must be an ISO-8601 duration of zero or more such as PT24H"
                    + " (PT0S drops the snapshots as soon as an upgrade succeeds)");
        }
        if (duration(ConfigKey.DB_IDLE_STOP).isNegative() || duration(ConfigKey.DB_IDLE_STOP).compareTo(Duration.ofDays(3650)) > 0) {
            throw invalid(ConfigKey.DB_IDLE_STOP, "must be an ISO-8601 duration from PT0S to P3650D such as PT10M");
        }
        get(ConfigKey.DB_POOL_SIZE).ifPresent(size -> {
            if (!size.matches("[0-9]{1,4}") || Integer.parseInt(size) < 1 || Integer.parseInt(size) > MAX_POOL_SIZE) {
                throw invalid(ConfigKey.DB_POOL_SIZE, "must be a whole number of connections from 1 to " + MAX_POOL_SIZE + " such as 10");
            }
        });
        String level = get(ConfigKey.LOG_LEVEL).orElse("INFO");
        if (!LOG_LEVELS.contains(level.toUpperCase(java.util.Locale.ROOT))) {
            throw invalid(ConfigKey.LOG_LEVEL, "must be one of " + String.join(", ", LOG_LEVELS));
        }
        String format = get(ConfigKey.LOG_FORMAT).orElse("text");
        if (!format.equals("text") && !format.equals("json")) {
            throw invalid(ConfigKey.LOG_FORMAT, "must be text or json");
        }
        get(ConfigKey.DB_URL).ifPresent(url -> {
            if (!url.startsWith("jdbc:postgresql:")) {
                throw invalid(ConfigKey.DB_URL, "must be a jdbc:postgresql: URL");
            }
            List<String> secrets = Redaction.secretsIn(url);
            if (!secrets.isEmpty()) {
                throw new ConfigException(ConfigKey.DB_URL.key() + " (from " + source(ConfigKey.DB_URL) + ") holds a secret ("
                        + String.join(", ", secrets) + "): " + Redaction.redactUri(url)
                        + "; put the password in a file readable only by you and name it with " + ConfigKey.DB_PASSWORD_FILE.key());
            }
        });
        if (get(ConfigKey.DB_USER).isPresent() && get(ConfigKey.DB_USER).get().chars().anyMatch(Character::isISOControl)) {
            throw invalid(ConfigKey.DB_USER, "holds a control character");
        }
        get(ConfigKey.DB_PASSWORD_FILE).ifPresent(file -> {
            try {
                new SecretFile(Path.of(file), ConfigKey.DB_PASSWORD_FILE.key() + " (from " + source(ConfigKey.DB_PASSWORD_FILE) + ")").check();
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e);
            }
        });
        get(ConfigKey.PLUGINS_DIR).ifPresent(folder -> {
            if (!Files.isDirectory(Path.of(folder))) {
                throw invalid(ConfigKey.PLUGINS_DIR, "names " + printable(folder) + ", which is not a folder");
            }
        });
        validateServer();
        get(ConfigKey.NODE_NAME).ifPresent(node -> {
            if (node.length() > 200 || node.chars().anyMatch(Character::isISOControl)) {
                throw invalid(ConfigKey.NODE_NAME, "must be at most 200 printable characters");
            }
        });
    }

    private void validateServer() {
        String port = get(ConfigKey.SERVER_PORT).orElse("");
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw invalid(ConfigKey.SERVER_PORT, "must be a TCP port from 1 to 65535");
        }
        String bind = get(ConfigKey.SERVER_BIND).orElse("");
        if (bind.length() > 253 || !bind.matches("[A-Za-z0-9.:%_-]+")) {
            throw invalid(ConfigKey.SERVER_BIND, "must be an IP address or host name");
        }
        String plain = get(ConfigKey.SERVER_ALLOW_PLAIN_HTTP).orElse("false");
        if (!plain.equals("true") && !plain.equals("false")) {
            throw invalid(ConfigKey.SERVER_ALLOW_PLAIN_HTTP, "must be true or false");
        }
        // Both files hold secrets (the server's private key, its password): refused when others can read them.
        for (ConfigKey key : List.of(ConfigKey.SERVER_TLS_KEYSTORE, ConfigKey.SERVER_TLS_KEYSTORE_PASSWORD_FILE)) {
            get(key).ifPresent(file -> {
                try {
                    new SecretFile(Path.of(file), key.key() + " (from " + source(key) + ")").check();
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(e.getMessage(), e);
                }
            });
        }
        if (get(ConfigKey.SERVER_TLS_KEYSTORE).isPresent() != get(ConfigKey.SERVER_TLS_KEYSTORE_PASSWORD_FILE).isPresent()) {
            throw new ConfigException(ConfigKey.SERVER_TLS_KEYSTORE.key() + " and " + ConfigKey.SERVER_TLS_KEYSTORE_PASSWORD_FILE.key()
                    + " go together: set both (the keystore and the file holding its password) or neither");
        }
    }

    /** A boolean setting: {@code true} or {@code false} (checked when the configuration was resolved). */
    public boolean flag(ConfigKey key) {
        return get(key).map(Boolean::parseBoolean).orElse(false);
    }

    private ConfigException invalid(ConfigKey key, String rule) {
        return new ConfigException(key.key() + " (from " + source(key) + ") " + rule + ", not '" + printable(values.get(key)) + "'");
    }

    public Optional<String> get(ConfigKey key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isBlank());
    }

    public String source(ConfigKey key) {
        return sources.getOrDefault(key, "unset");
    }

    public Duration duration(ConfigKey key) {
        String value = get(key).orElseThrow(() -> new ConfigException(key.key() + " is not set"));
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new ConfigException(key.key() + " (from " + source(key) + ") is not an ISO-8601 duration such as PT30S: '" + value + "'");
        }
    }

    /** The state folder: duplex.home, else {@code ~/.duplex}. */
    public Path home() {
        return get(ConfigKey.HOME).map(Path::of).orElseGet(() -> Path.of(System.getProperty("user.home"), ".duplex"))
                .toAbsolutePath();
    }
}
