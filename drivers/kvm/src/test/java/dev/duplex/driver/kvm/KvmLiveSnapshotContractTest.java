package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.duplex.api.Capability;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageSpec;
import dev.duplex.driver.tck.VolumeProbe;
import dev.duplex.driver.tck.VolumeSnapshotContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The snapshot contract against a real libvirtd ({@link LiveLibvirt}) whose pool lies on an XFS
 * with reflinks ({@link XfsPool}): snapshots are declared and work, volume content checked through
 * the files ({@link RawVolumeProbe}), a restore under a running QEMU guest refused. Beside it, the
 * live peer's own pool on ext4 must not claim snapshots.
 */
class KvmLiveSnapshotContractTest extends VolumeSnapshotContractTest {
    private XfsPool xfs;

    private XfsPool xfs() {
        if (xfs == null) {
            try {
                xfs = XfsPool.create(1L << 30);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return xfs;
    }

    @AfterAll
    void unmount() throws IOException {
        if (xfs != null) {
            xfs.close();
        }
    }

    @Override
    protected String expectedKind() {
        return "kvm";
    }

    @Override
    protected DriverConfig driverConfig() {
        return LiveLibvirt.get().config("live-snapshots", Map.of("pool", "duplex-xfs", "pool-path", xfs().poolPath().toString()));
    }

    @Override
    protected boolean supportsSnapshots() {
        return true;
    }

    @Override
    protected boolean volumeDataAccess() {
        return true;
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return new RawVolumeProbe();
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        return new ImageSpec(name, softwareVersion, LiveLibvirt.guest("v1"), Map.of());
    }

    @Override
    protected String mountPath() {
        return "vdb";
    }

    @Override
    protected Map<String, String> vmProperties() {
        return Map.of("firmware", "bios");
    }

    @Override
    protected Duration stateTimeout() {
        return Duration.ofSeconds(120);
    }

    @Test
    void aPoolOnExt4DeclaresNoSnapshots() {
        try (HypervisorDriver ext4 = new KvmDriverProvider().connect(LiveLibvirt.get().config("live-ext4", Map.of()))) {
            assertFalse(ext4.capabilities().supports(Capability.VOLUME_SNAPSHOT),
                    "the live peer's pool is on " + LiveLibvirt.get().stateDirectory + " (ext4 here), where nothing clones");
        }
    }

    @Test
    void theProviderDeclaresSnapshots() {
        assertEquals(true, new KvmDriverProvider().capabilities().supports(Capability.VOLUME_SNAPSHOT));
    }
}
