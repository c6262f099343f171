package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

/**
 * A volume, typically a VM's database volume.
 *
 * @param name unique name
 * @param endpoint the endpoint it lives on
 * @param driverRef the driver's id for it
 * @param sizeBytes capacity
 * @param purpose what it holds ({@code database}, ...)
 */
public record VolumeRecord(String name, String endpoint, String driverRef, long sizeBytes, String purpose) {
    public VolumeRecord {
        requireNonNull(name, "name is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(driverRef, "driverRef is null");
        requireNonNull(purpose, "purpose is null");
    }
}
