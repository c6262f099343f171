package dev.duplex.driver.tck;

import dev.duplex.api.VolumeRef;
import java.util.Optional;

/**
 * Reaches into a volume on the peer, beside the driver, so the kit can check that data really
 * survives an upgrade, a copy at boot or a volume copy. For the local driver that is a file in the
 * volume's folder; for KVM a file in a storage volume of a directory pool; a peer that offers no
 * such access declares {@link DriverBehavior#VOLUME_DATA_ACCESS} unsupported and returns
 * {@link #unavailable()}.
 */
public interface VolumeProbe {
    /**
     * Writes {@code marker} into the volume, replacing any earlier marker.
     *
     * @return the number of bytes the volume's content holds afterwards: what copying the whole
     *     volume (at boot or with {@code copyVolume}) must copy
     */
    long writeMarker(VolumeRef volume, String marker);

    /** The marker in the volume, or empty when there is none. */
    Optional<String> readMarker(VolumeRef volume);

    /** A probe for peers without data access; using it fails the test. */
    static VolumeProbe unavailable() {
        return new VolumeProbe() {
            @Override
            public long writeMarker(VolumeRef volume, String marker) {
                throw new UnsupportedOperationException("this driver's test declared no volume data access");
            }

            @Override
            public Optional<String> readMarker(VolumeRef volume) {
                throw new UnsupportedOperationException("this driver's test declared no volume data access");
            }
        };
    }
}
