package dev.duplex.api;

import static java.util.Objects.requireNonNull;

/**
 * A volume made as a copy of another one by {@link HypervisorDriver#cloneVolume}.
 *
 * @param volume the new volume (its id is the platform's: a clone may get an id of its own)
 * @param bytes the bytes copied, or 0 where the platform copies without telling (a storage-side clone)
 */
public record VolumeCopy(VolumeRef volume, long bytes) {
    public VolumeCopy {
        requireNonNull(volume, "volume is null");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes copied must be 0 or more");
        }
    }
}
