package dev.duplex.api;

import static java.util.Objects.requireNonNull;

/**
 * The link, set in a VM's definition, to a volume that lives outside the VM's image: the
 * heart of the zero-copy upgrade. A new image gets a link to the same database volume instead
 * of a copy of the database.
 *
 * @param volume the linked volume; deleting the VM never deletes it
 * @param mountPath where the guest sees the volume (a path for the local driver, a device or
 *     target name such as {@code vdb} for KVM)
 * @param mode whether the volume is used in place or copied in when the VM starts
 */
public record VolumeLink(VolumeRef volume, String mountPath, Mode mode) {
    public VolumeLink {
        requireNonNull(volume, "volume is null");
        requireNonNull(mountPath, "mountPath is null");
        requireNonNull(mode, "mode is null");
        if (mountPath.isBlank()) {
            throw new IllegalArgumentException("mount path of the link to " + volume + " is blank");
        }
    }

    /** How the VM gets at the linked volume's content. */
    public enum Mode {
        /** The VM mounts the volume itself at boot: no byte is copied. Needs {@link Capability#MOUNT_AT_BOOT}. */
        MOUNT_AT_BOOT,
        /**
         * The volume's content is copied into the VM when it starts, for platforms that cannot
         * mount an external volume. Needs {@link Capability#COPY_AT_BOOT}.
         */
        COPY_AT_BOOT
    }
}
