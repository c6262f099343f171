package dev.duplex.api;

/**
 * A VM's operating-environment information (firmware settings, configuration, ... each with a
 * revision) as the platform keeps it: files for the local driver, the UEFI variable store and
 * domain metadata for KVM, nvram and extraConfig for vSphere.
 *
 * <p>Writes are atomic: after {@link #write(EnvironmentUpdate)} fails or the process dies
 * during it, {@link #read()} returns exactly what it returned before. Failover relies on this
 * to never boot a standby with half-written firmware settings.
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
}
