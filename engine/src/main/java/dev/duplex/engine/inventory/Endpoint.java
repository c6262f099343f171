package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;
import java.util.Map;
import java.util.Optional;

/**
 * A platform endpoint Duplex drives through one driver.
 *
 * @param name unique name, following {@link ObjectName}: it names the driver's work folder
 * @param driverKind the driver's kind ({@code local}, {@code kvm}, ...)
 * @param uri the platform URI, never with a password in it
 * @param credentialFile a reference to the file holding the secret (a path), never the secret
 * @param properties driver settings
 */
public record Endpoint(String name, String driverKind, String uri, Optional<String> credentialFile, Map<String, String> properties) {
    public Endpoint {
        ObjectName.check("endpoint", requireNonNull(name, "name is null"));
        requireNonNull(driverKind, "driverKind is null");
        requireNonNull(uri, "uri is null");
        requireNonNull(credentialFile, "credentialFile is null");
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }
}
