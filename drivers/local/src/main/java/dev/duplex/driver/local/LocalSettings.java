package dev.duplex.driver.local;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectName;
import dev.duplex.api.VisibleText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The local driver's settings, read from a {@link DriverConfig}.
 *
 * @param stateDirectory where images, volumes and VMs live
 * @param stopGrace how long a graceful stop waits after SIGTERM before SIGKILL
 * @param startSettle how long a start watches the new VM before it reports it started: a VM that
 *     exits within it (a port in use, a bad command) is reported as a failed start
 */
record LocalSettings(Path stateDirectory, Duration stopGrace, Duration startSettle) {
    static final String STOP_GRACE_MS = "stop-grace-ms";
    static final String START_SETTLE_MS = "start-settle-ms";
    private static final Set<String> KNOWN_PROPERTIES = Set.of(STOP_GRACE_MS, START_SETTLE_MS);

    LocalSettings {
        requireNonNull(stateDirectory, "stateDirectory is null");
        requireNonNull(stopGrace, "stopGrace is null");
        requireNonNull(startSettle, "startSettle is null");
    }

    /** Reads the settings; a wrong URI or an unknown or malformed property is an {@link InvalidSpecException}. */
    static LocalSettings from(DriverConfig config) {
        ObjectId endpoint = new ObjectId(ObjectKind.ENDPOINT, config.endpoint());
        // The engine names the work folder after the endpoint: '../../x' or '/etc' must never get that far.
        if (!ObjectName.isValid(config.endpoint())) {
            throw new InvalidSpecException(ObjectName.problem("endpoint", config.endpoint()), endpoint);
        }
        for (String key : config.properties().keySet()) {
            if (!KNOWN_PROPERTIES.contains(key)) {
                throw new InvalidSpecException("Unknown property '" + key + "' for the local driver of endpoint "
                        + config.endpoint() + "; known properties: " + KNOWN_PROPERTIES, endpoint);
            }
        }
        return new LocalSettings(stateDirectory(config, endpoint), millis(config, endpoint, STOP_GRACE_MS, "5000"),
                millis(config, endpoint, START_SETTLE_MS, "300"));
    }

    private static Path stateDirectory(DriverConfig config, ObjectId endpoint) {
        String uri = config.uri();
        if (uri.equals("local:") || uri.equals("local://")) {
            return workDirectory(config, endpoint);
        }
        if (uri.startsWith("local:/")) {
            String path = uri.substring("local:".length());
            // local:///abs is the URI spelling of local:/abs; both name the same folder.
            if (path.startsWith("///")) {
                path = path.substring(2);
            }
            return Path.of(path).normalize();
        }
        throw new InvalidSpecException("The local driver of endpoint " + config.endpoint() + " needs a URI 'local:' or "
                + "'local:/absolute/state/folder', not '" + config.redactedUri() + "'", endpoint);
    }

    /** The engine's work folder for the endpoint, which must be a plain path and no link. */
    private static Path workDirectory(DriverConfig config, ObjectId endpoint) {
        Path folder = config.workDirectory().toAbsolutePath();
        for (Path part : folder) {
            if (part.toString().equals("..") || part.toString().equals(".")) {
                throw new InvalidSpecException("The work folder " + VisibleText.escape(folder.toString()) + " of endpoint "
                        + config.endpoint() + " holds '" + part + "'; the local driver needs a plain absolute path", endpoint);
            }
        }
        if (Files.isSymbolicLink(folder)) {
            throw new InvalidSpecException("The work folder " + VisibleText.escape(folder.toString()) + " of endpoint "
                    + config.endpoint() + " is a symbolic link; the local driver keeps its state only in a real folder:"
                    + " remove the link", endpoint);
        }
        return folder;
    }

    private static Duration millis(DriverConfig config, ObjectId endpoint, String key, String defaultValue) {
        String value = config.property(key, defaultValue);
        try {
            long millis = Long.parseLong(value.trim());
            if (millis < 0) {
                throw new NumberFormatException("negative");
            }
            return Duration.ofMillis(millis);
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("Property '" + key + "' of endpoint " + config.endpoint()
                    + " must be a number of milliseconds, 0 or more, not '" + VisibleText.escape(value) + "'", endpoint, e);
        }
    }
}
