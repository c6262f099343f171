package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach one endpoint of a platform.
 *
 * @param endpoint the endpoint's name in the Duplex inventory, used in messages
 * @param uri the platform's address ({@code qemu:///system}, {@code https://vcenter/sdk},
 *     {@code local:}); may carry a user name but never a password
 * @param properties driver-specific settings; a driver must reject keys it does not know with
 *     an {@link InvalidSpecException} naming the key
 * @param credentialFile a file holding the secret (password or token); the driver reads it and
 *     never prints its content or its path's content in logs, messages or {@code toString()}
 * @param workDirectory a folder private to this endpoint in which the driver may keep state
 */
public record DriverConfig(
        String endpoint,
        String uri,
        Map<String, String> properties,
        Optional<Path> credentialFile,
        Path workDirectory) {

    public DriverConfig {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(uri, "uri is null");
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
        requireNonNull(credentialFile, "credentialFile is null");
        requireNonNull(workDirectory, "workDirectory is null");
    }

    /** The value of a property, or {@code defaultValue} when it is not set. */
    public String property(String key, String defaultValue) {
        return properties.getOrDefault(key, defaultValue);
    }

    /** The URI with any password ({@code user:secret@}) and secret-looking query values masked, for messages. */
    public String redactedUri() {
        return Redaction.redactUri(uri);
    }
}
