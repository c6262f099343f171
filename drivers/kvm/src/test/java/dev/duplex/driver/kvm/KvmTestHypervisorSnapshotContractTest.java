package dev.duplex.driver.kvm;

import dev.duplex.api.DriverConfig;
import dev.duplex.driver.tck.VolumeProbe;
import dev.duplex.driver.tck.VolumeSnapshotContractTest;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The snapshot contract on libvirt's test hypervisor, which clones volumes but not by reflink: the
 * driver's probe finds that out, declares no snapshots, and every snapshot operation fails with
 * the standard message.
 */
class KvmTestHypervisorSnapshotContractTest extends VolumeSnapshotContractTest {
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
    protected boolean supportsSnapshots() {
        return false;
    }

    @Override
    protected boolean volumeDataAccess() {
        return false;
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return VolumeProbe.unavailable();
    }
}
