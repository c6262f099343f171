package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * A request to add an endpoint.
 *
 * @param name its name
 * @param driverKind the driver's kind
 * @param uri the platform URI; only the local driver has a default ({@code local:})
 * @param credentialFile an absolute path to the file holding the secret
 * @param properties driver settings
 */
public record AddEndpoint(String name, String driverKind, Optional<String> uri, Optional<String> credentialFile,
        Map<String, String> properties) {
    public AddEndpoint {
        requireNonNull(name, "name is null");
        requireNonNull(driverKind, "driverKind is null");
        requireNonNull(uri, "uri is null");
        requireNonNull(credentialFile, "credentialFile is null");
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }
}
