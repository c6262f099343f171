package dev.duplex.driver.local;

import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.HypervisorDriver;

/**
 * The embedded default driver, kind {@value #KIND}: VMs are local processes, images and volumes
 * are folders, and a VM's link to its database volume is a real symbolic link.
 *
 * <p>Configuration: the URI {@code local:} keeps state in {@link DriverConfig#workDirectory()},
 * {@code local:/absolute/folder} in that folder. Two properties are known, any other is refused:
 * <ul>
 *   <li>{@code stop-grace-ms} (default 5000): how long a graceful stop waits, after SIGTERM to the
 *       VM's main process, before it sends SIGKILL to the VM's whole process group;
 *   <li>{@code start-settle-ms} (default 300): how long a start watches the new VM; one that exits
 *       within it fails the start with {@link dev.duplex.api.VmStartFailedException} (its exit
 *       status and the last 20 lines of its {@code console.log}).
 * </ul>
 *
 * <p>{@link Capability#VOLUME_SNAPSHOT} is declared here, but a connection has it only when its
 * state folder's file system makes reflink clones ({@code cp --reflink=always} is tried on a probe
 * file there at connect: XFS with reflink, btrfs; not ext4): a snapshot is a clone of the volume's
 * files, and a restore clones it back and swaps it in by renames.
 *
 * <p>A stop returns only once no process of the VM's group runs and the JVM has reaped the VM's
 * main process (it is the JVM's child), so its files, locks and ports are free.
 *
 * <p>{@link dev.duplex.api.VolumeLink.Mode#COPY_AT_BOOT} copies are written back: once the VM is
 * gone (at stop; after a crash, before the next start or the VM's deletion) each copy replaces
 * its volume's content atomically (staged and flushed in the volume's folder, then swapped in by
 * renames; an interrupted swap is finished or undone on the next use), so the next boot starts
 * from what the VM wrote.
 */
public final class LocalDriverProvider implements DriverProvider {
    /** The kind operators use to pick this driver. */
    public static final String KIND = "local";

    static final Capabilities CAPABILITIES = Capabilities.of(
            Capability.MOUNT_AT_BOOT, Capability.COPY_AT_BOOT, Capability.VOLUME_COPY, Capability.ENVIRONMENT_STORE,
            Capability.VOLUME_SNAPSHOT);

    /** For {@link java.util.ServiceLoader}. */
    public LocalDriverProvider() {}

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public HypervisorDriver connect(DriverConfig config) {
        return new LocalDriver(LocalSettings.from(config));
    }
}
