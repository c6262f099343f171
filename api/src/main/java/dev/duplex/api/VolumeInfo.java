package dev.duplex.api;

import static java.util.Objects.requireNonNull;

/**
 * What the platform says about a volume.
 *
 * @param volume the volume
 * @param sizeBytes its capacity in bytes
 * @param purpose what it was created for
 */
public record VolumeInfo(VolumeRef volume, long sizeBytes, String purpose) {
    public VolumeInfo {
        requireNonNull(volume, "volume is null");
        requireNonNull(purpose, "purpose is null");
    }
}
