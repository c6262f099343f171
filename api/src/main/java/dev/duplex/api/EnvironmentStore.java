package dev.duplex.api;

/**
 * A VM's operating-environment information (firmware settings, configuration, ... each with a
 * revision) as the platform keeps it: files for the local driver, the UEFI variable store and
 * domain metadata for KVM, nvram and extraConfig for vSphere.
 *
 * <p>Writes are atomic: whenever {@link #write(EnvironmentUpdate)} fails or the process dies
 * during it, {@link #read()} afterwards returns either exactly what it returned before or
 * exactly the update's result, never a mix; and once {@code write} has returned, the result.
 * A store may commit early (the local driver's redo journal: once the journal is on disk, a
 * crash ends with the new content at the next access), so after a failed write the caller
 * reads the store again instead of assuming the old content. Failover relies on this to never
 * boot a standby with half-written firmware settings.
 */
public interface EnvironmentStore {
    /** The current revision and items. */
    EnvironmentSnapshot read();

    /**
     * Applies an update atomically.
     *
     * @throws ConflictException when the store's revision is not {@code update.expectedRevision()}
     * @throws ObjectNotFoundException when a {@link ItemChange.Patch} or {@link ItemChange.Remove} names an absent item
     */
    void write(EnvironmentUpdate update);

    /**
     * Refuses, before anything is written, info this store could hold but its VM could not use: an
     * item with a fixed layout given other content (a UEFI variable store must keep its size and its
     * firmware-volume format; another driver's {@code settings} item of 8 KiB is not one). Failover
     * calls it before it fences the old active, so a standby that could not boot on the info is found
     * while the active still serves; {@link #write} refuses the same content. The default accepts
     * everything: a store whose items are opaque bytes has no layout to keep.
     *
     * @throws InvalidSpecException naming the item and what is wrong with its content
     */
    default void check(EnvironmentSnapshot target) {
    }
}
