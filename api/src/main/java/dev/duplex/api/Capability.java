package dev.duplex.api;

/** A feature a driver may or may not have; the engine asks before it plans. */
public enum Capability {
    /** A {@link VolumeLink.Mode#MOUNT_AT_BOOT} link: the new VM uses the linked volume in place. */
    MOUNT_AT_BOOT,
    /** A {@link VolumeLink.Mode#COPY_AT_BOOT} link: the volume's content is copied into the VM when it starts. */
    COPY_AT_BOOT,
    /** {@link HypervisorDriver#copyVolume} copies a volume's content into another volume ({@link HypervisorDriver#cloneVolume} into a new one). */
    VOLUME_COPY,
    /** {@link HypervisorDriver#snapshotVolume} takes copy-on-write snapshots that a rollback can restore. */
    VOLUME_SNAPSHOT,
    /** {@link HypervisorDriver#attachVolume}/{@link HypervisorDriver#detachVolume} on a running VM. */
    HOT_ATTACH,
    /** {@link HypervisorDriver#environment} gives access to the VM's operating-environment items. */
    ENVIRONMENT_STORE,
    /** The environment store holds firmware settings (UEFI variables, BIOS settings, nvram). */
    FIRMWARE_STORE
}
