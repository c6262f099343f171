package dev.duplex.driver.vmware;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageSpec;
import dev.duplex.driver.tck.BaseDriverContractTest;
import dev.duplex.driver.tck.DriverBehavior;
import dev.duplex.driver.tck.VolumeProbe;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract kit against vcsim (govmomi's vSphere simulator, see {@link Vcsim}). vcsim keeps
 * inventory, templates, virtual disks, device changes and power states, so images, volumes, VMs
 * with their linked disks, start/stop, reconnects and CopyVirtualDisk are checked for real. It
 * runs no guest and its disks are empty files, so nothing can be read inside a volume
 * (VOLUME_DATA_ACCESS), nothing ends at once, and there is no copy at boot (a vSphere VM attaches
 * the disk itself) nor hot attach (AttachDisk_Task is not in vcsim) in this driver. The environment
 * store (extraConfig) is checked for real.
 */
class VmwareContractTest extends BaseDriverContractTest {
    private Vcsim vcsim;

    @BeforeAll
    void startVcsim() throws Exception {
        if (vcsim == null) {
            vcsim = Vcsim.start();
        }
    }

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
            // The kit connects in its own @BeforeAll, which JUnit may run before ours.
            try {
                vcsim = Vcsim.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return new DriverConfig("vcsim", vcsim.sdk().toString(), Map.of("user", Vcsim.USER),
                Optional.of(vcsim.passwordFile()), Path.of("target", "vmware-work"));
    }

    @Override
    protected boolean supports(DriverBehavior behavior) {
        return switch (behavior) {
            case REGISTER_IMAGE, CREATE_VOLUME, START_STOP, MOUNT_AT_BOOT, VOLUME_COPY, STOP_WAITS_UNTIL_GONE, ENVIRONMENT_STORE -> true;
            // FIRMWARE_STORE: the settings item is in extraConfig, not the VM's nvram file.
            case COPY_AT_BOOT, HOT_ATTACH, FIRMWARE_STORE, VOLUME_DATA_ACCESS, START_REPORTS_EARLY_EXIT,
                    COPY_AT_BOOT_WRITE_BACK -> false;
        };
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        return new ImageSpec(name, softwareVersion, "blank", Map.of());
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return VolumeProbe.unavailable();
    }

    @Override
    protected String mountPath(int index) {
        return "var/lib/db" + index;
    }
}
