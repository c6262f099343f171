package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;

/**
 * A software image registered on an endpoint.
 *
 * @param name unique name, following {@link ObjectName}
 * @param endpoint the endpoint it is registered on
 * @param softwareVersion the software version it runs
 * @param driverRef the driver's id for it
 */
public record ImageRecord(String name, String endpoint, String softwareVersion, String driverRef) {
    public ImageRecord {
        ObjectName.check("image", requireNonNull(name, "name is null"));
        ObjectName.check("endpoint", requireNonNull(endpoint, "endpoint is null"));
        requireNonNull(softwareVersion, "softwareVersion is null");
        requireNonNull(driverRef, "driverRef is null");
    }
}
