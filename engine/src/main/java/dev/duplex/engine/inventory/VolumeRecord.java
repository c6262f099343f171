package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;

/**
 * A volume, typically a VM's database volume.
 *
 * @param name unique name, following {@link ObjectName}
 * @param endpoint the endpoint it lives on
 * @param driverRef the driver's id for it
 * @param sizeBytes capacity
 * @param purpose what it holds ({@code database}, ...)
 */
public record VolumeRecord(String name, String endpoint, String driverRef, long sizeBytes, String purpose) {
    public VolumeRecord {
        ObjectName.check("volume", requireNonNull(name, "name is null"));
        ObjectName.check("endpoint", requireNonNull(endpoint, "endpoint is null"));
        requireNonNull(driverRef, "driverRef is null");
        requireNonNull(purpose, "purpose is null");
    }
}
