package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What starting a VM did.
 *
 * @param vm the started VM
 * @param bytesCopied bytes copied in at boot for {@link VolumeLink.Mode#COPY_AT_BOOT} links; 0 when every link is mounted
 * @param copyTime time spent copying; {@link Duration#ZERO} when nothing was copied
 */
public record BootReport(VmRef vm, long bytesCopied, Duration copyTime) {
    public BootReport {
        requireNonNull(vm, "vm is null");
        requireNonNull(copyTime, "copyTime is null");
        if (bytesCopied < 0) {
            throw new IllegalArgumentException("bytesCopied is negative");
        }
    }
}
