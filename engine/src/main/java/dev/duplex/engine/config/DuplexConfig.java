package dev.duplex.engine.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
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
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage(), e);
            }
            for (String name : properties.stringPropertyNames()) {
                ConfigKey key = known(name, file.toString());
                values.put(key, properties.getProperty(name).trim());
                sources.put(key, file.toString());
            }
        }
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

    private static ConfigKey known(String name, String source) {
        return ConfigKey.byKey(name).orElseThrow(() -> new ConfigException(
                "Unknown configuration key '" + name + "' in " + source + "; known keys: " + knownKeys()));
    }

    private static String knownKeys() {
        StringBuilder out = new StringBuilder();
        for (ConfigKey k : ConfigKey.values()) {
            out.append(out.length() == 0 ? "" : ", ").append(k.key());
        }
        return out.toString();
    }

    private void validate() {
        for (ConfigKey key : List.of(ConfigKey.JOB_STALE_AFTER, ConfigKey.UPGRADE_HEALTH_TIMEOUT, ConfigKey.UPGRADE_RESYNC_TIMEOUT)) {
            duration(key);
        }
        if (get(ConfigKey.DB_URL).isPresent() && !get(ConfigKey.DB_URL).get().startsWith("jdbc:postgresql:")) {
            throw new ConfigException("duplex.db.url (from " + sources.get(ConfigKey.DB_URL)
                    + ") must be a jdbc:postgresql: URL");
        }
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
