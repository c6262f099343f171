package dev.duplex.driver.vmware;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.VmRef;
import dev.duplex.api.VolumeLink;
import dev.duplex.driver.tck.BaseDriverContractTest;
import dev.duplex.driver.tck.DriverBehavior;
import dev.duplex.driver.tck.VolumeProbe;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract kit against vcsim (govmomi's vSphere simulator, see {@link Vcsim}). vcsim keeps
 * inventory, templates, virtual disks (as real files on its datastore folder), device changes on
 * stopped and running VMs, datastore file transfer and power states, so images, volumes, VMs with
 * their linked disks, copy at boot with its write back, hot attach and detach, start/stop,
 * reconnects, CopyVirtualDisk and the environment store (extraConfig, and the nvram file for
 * {@code settings}) are checked for real; volume data is reached through the disks' data extents
 * ({@link VcsimVolumeProbe}). What vcsim cannot do: make a VM end by itself, so
 * START_REPORTS_EARLY_EXIT is not declared. vcsim 0.24 runs no guest of its own; its only guest is
 * a Docker container named in extraConfig {@code RUN.container} (simulator/container.go), started
 * with {@code docker run -d} and never watched, so when it exits the VM stays poweredOn and there is
 * no early exit for the driver to see. The kit's five "unsupported X fails with the standard
 * message" tests skip because X is supported.
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
        return vcsim.driverConfig();
    }

    @Override
    protected boolean supports(DriverBehavior behavior) {
        return switch (behavior) {
            case REGISTER_IMAGE, CREATE_VOLUME, START_STOP, MOUNT_AT_BOOT, COPY_AT_BOOT, VOLUME_COPY, HOT_ATTACH,
                    STOP_WAITS_UNTIL_GONE, ENVIRONMENT_STORE, FIRMWARE_STORE, VOLUME_DATA_ACCESS, COPY_AT_BOOT_WRITE_BACK -> true;
            // In vcsim a powered-on VM never ends by itself (see above): there is no early exit to report.
            case START_REPORTS_EARLY_EXIT -> false;
        };
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        return new ImageSpec(name, softwareVersion, "blank", Map.of());
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return new VcsimVolumeProbe(vcsim.direct(), volumeSizeBytes());
    }

    /** As the guest would: into the VM's private copy, which the driver keeps in the VM's folder (vcsim names it after the VM). */
    @Override
    protected void writeIntoCopy(HypervisorDriver driver, VmRef vm, VolumeLink link, String marker) {
        new VcsimVolumeProbe(vcsim.direct(), volumeSizeBytes()).writeMarker("[LocalDS_0] " + vm.name() + "/duplex-copy-0.vmdk", marker);
    }

    @Override
    protected String mountPath(int index) {
        return "var/lib/db" + index;
    }
}
