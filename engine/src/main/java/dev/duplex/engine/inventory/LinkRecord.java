package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;
import dev.duplex.api.VolumeLink;

/**
 * A VM's link to a volume, by the volume's inventory name.
 *
 * @param volume the volume's name
 * @param mountPath where the VM sees it; checked by {@link VolumeLink} when the link reaches a driver (rows
 *     recorded before that rule, such as {@code /db}, still load)
 * @param mode mount or copy at boot
 */
public record LinkRecord(String volume, String mountPath, VolumeLink.Mode mode) {
    public LinkRecord {
        ObjectName.check("volume", requireNonNull(volume, "volume is null"));
        requireNonNull(mountPath, "mountPath is null");
        requireNonNull(mode, "mode is null");
    }
}
