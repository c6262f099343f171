package dev.duplex.driver.vmware;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageSpec;
import dev.duplex.driver.tck.VolumeProbe;
import dev.duplex.driver.tck.VolumeSnapshotContractTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The snapshot contract against vcsim: snapshots are declared and the snapshot tree, names, ids,
 * retries from a new connection, forged ids, hostile names and the refusal under a running VM are
 * checked for real. Volume data is declared unreachable here, because vcsim 0.24 cannot prove it:
 * its CreateSnapshot makes no delta disk and its RevertToSnapshot only moves the current-snapshot
 * pointer (simulator/snapshot.go), so a marker written after the snapshot would still be there after
 * a restore. The three data tests skip for that reason; on a real vSphere the revert puts the
 * parent's content back ({@link VolumeSnapshots}).
 */
class VsphereSnapshotContractTest extends VolumeSnapshotContractTest {
    private Vcsim vcsim;

    @AfterAll
    void stopVcsim() throws Exception {
        if (vcsim != null) {
            vcsim.close();
        }
    }

    @Override
    protected String expectedKind() {
        return "vmware";
    }

    @Override
    protected DriverConfig driverConfig() {
        if (vcsim == null) {
            // The kit connects in its own @BeforeAll: the simulator starts with the first connection.
            try {
                vcsim = Vcsim.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return vcsim.driverConfig();
    }

    @Override
    protected boolean supportsSnapshots() {
        return true;
    }

    @Override
    protected boolean volumeDataAccess() {
        return false;
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return VolumeProbe.unavailable();
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        return new ImageSpec(name, softwareVersion, "blank", Map.of());
    }
}
