package dev.duplex.driver.kvm;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageSpec;
import dev.duplex.driver.tck.BaseDriverContractTest;
import dev.duplex.driver.tck.DriverBehavior;
import dev.duplex.driver.tck.VolumeProbe;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The contract kit against libvirt's test hypervisor ({@code test:///default}): in process, in
 * memory, no QEMU. It runs on {@code test:///default} rather than on our own node file
 * ({@code test:///<path>}, see {@link KvmTestNodeFileTest}) because libvirt gives every
 * connection to a node file its own private copy of it, while the default node's state is shared
 * by all connections of the process, which the kit's "a new connection finds it again" checks need. It keeps domains, metadata, pools and volumes, so images, volumes, VMs,
 * links, start/stop, copy at boot and the metadata-backed environment store are checked for
 * real. It answers {@code VIR_ERR_NO_SUPPORT} to attach-device and to volume upload/download,
 * and its volumes hold no bytes, so hot attach, volume copy, the UEFI variable store and data
 * access are declared unsupported here and covered by {@link KvmLiveContractTest}.
 */
class KvmTestHypervisorContractTest extends BaseDriverContractTest {
    @Override
    protected String expectedKind() {
        return "kvm";
    }

    @Override
    protected DriverConfig driverConfig() {
        return new DriverConfig("libvirt-test", "test:///default", Map.of("pool", "default-pool"), Optional.empty(),
                Path.of("target", "kvm-work"));
    }

    @Override
    protected boolean supports(DriverBehavior behavior) {
        return switch (behavior) {
            case REGISTER_IMAGE, CREATE_VOLUME, START_STOP, MOUNT_AT_BOOT, COPY_AT_BOOT, ENVIRONMENT_STORE -> true;
            case STOP_WAITS_UNTIL_GONE -> true;
            // The test hypervisor runs no guest: nothing can end at once or write to a copy.
            case VOLUME_COPY, HOT_ATTACH, FIRMWARE_STORE, VOLUME_DATA_ACCESS, START_REPORTS_EARLY_EXIT,
                    COPY_AT_BOOT_WRITE_BACK -> false;
        };
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        // The test hypervisor never reads the kernel: a path that does not exist here is fine.
        return new ImageSpec(name, softwareVersion, "/duplex-test-images/" + softwareVersion, Map.of());
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return VolumeProbe.unavailable();
    }

    @Override
    protected String mountPath(int index) {
        return "vd" + (char) ('b' + index);
    }

    @Override
    protected Map<String, String> vmProperties() {
        return Map.of("firmware", "bios");
    }
}
