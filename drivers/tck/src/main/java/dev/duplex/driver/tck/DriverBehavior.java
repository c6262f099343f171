package dev.duplex.driver.tck;

import dev.duplex.api.Capability;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.VmRef;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.UnsupportedOperationDriverException;
import java.util.Optional;

/**
 * A behaviour a driver under test may or may not have. A driver's contract test declares each
 * one in {@link BaseDriverContractTest#supports(DriverBehavior)}: tests of a supported behaviour
 * run, tests of an unsupported one are skipped, and for an unsupported optional operation the
 * kit checks that it fails with {@link UnsupportedOperationDriverException} and the
 * {@linkplain UnsupportedOperationDriverException#standardMessage(String, String) standard message}
 * for {@link #operation()}, and that the driver does not claim the matching {@link #capability()}.
 */
public enum DriverBehavior {
    /** {@code registerImage}, {@code listImages}, {@code deleteImage}; most other tests need it. */
    REGISTER_IMAGE(null, null),
    /** {@code createVolume}, {@code listVolumes}, {@code deleteVolume}. */
    CREATE_VOLUME(null, null),
    /** {@code start} and {@code stop} of a VM, and finding a running VM again from a new connection. */
    START_STOP(null, null),
    /** Links in {@link dev.duplex.api.VolumeLink.Mode#MOUNT_AT_BOOT} mode; operation name {@code "mount at boot"}. */
    MOUNT_AT_BOOT(Capability.MOUNT_AT_BOOT, "mount at boot"),
    /** Links in {@link dev.duplex.api.VolumeLink.Mode#COPY_AT_BOOT} mode; operation name {@code "copy at boot"}. */
    COPY_AT_BOOT(Capability.COPY_AT_BOOT, "copy at boot"),
    /** {@code copyVolume}; operation name {@code "volume copy"}. */
    VOLUME_COPY(Capability.VOLUME_COPY, "volume copy"),
    /** {@code attachVolume} / {@code detachVolume}; operation names {@code "hot attach"} / {@code "hot detach"}. */
    HOT_ATTACH(Capability.HOT_ATTACH, "hot attach"),
    /** {@code environment(vm)}; operation name {@code "environment store"}. */
    ENVIRONMENT_STORE(Capability.ENVIRONMENT_STORE, "environment store"),
    /** The environment store holds firmware settings; no operation of its own, only the capability is checked. */
    FIRMWARE_STORE(Capability.FIRMWARE_STORE, null),
    /**
     * The test can put data into a volume and read it back on the peer, through
     * {@link BaseDriverContractTest#volumeProbe()}. Without it, data-survival checks are skipped.
     */
    VOLUME_DATA_ACCESS(null, null),
    /**
     * A VM that ends at once fails its {@code start} with {@link dev.duplex.api.VmStartFailedException}
     * instead of being found CRASHED later. Needs
     * {@link BaseDriverContractTest#exitingImageSpec(String, String)}: an image whose VMs end at once.
     */
    START_REPORTS_EARLY_EXIT(null, null),
    /**
     * {@code stop} returns only once the VM is gone: STOPPED on return, startable again at once, and
     * what {@link BaseDriverContractTest#verifyGone(HypervisorDriver, VmRef)} checks on the peer
     * (no process left, nothing holding the VM's files).
     */
    STOP_WAITS_UNTIL_GONE(null, null),
    /**
     * What a VM writes to a {@link dev.duplex.api.VolumeLink.Mode#COPY_AT_BOOT} copy is written back
     * to the volume at stop, so the next boot starts from it. Needs {@link #COPY_AT_BOOT},
     * {@link #VOLUME_DATA_ACCESS} and
     * {@link BaseDriverContractTest#writeIntoCopy(HypervisorDriver, VmRef, VolumeLink, String)}.
     */
    COPY_AT_BOOT_WRITE_BACK(null, null);

    private final Capability capability;
    private final String operation;

    DriverBehavior(Capability capability, String operation) {
        this.capability = capability;
        this.operation = operation;
    }

    /** The capability a driver with this behaviour must claim, and a driver without it must not. */
    public Optional<Capability> capability() {
        return Optional.ofNullable(capability);
    }

    /** The operation name in the standard unsupported message, for optional operations. */
    public Optional<String> operation() {
        return Optional.ofNullable(operation);
    }
}
