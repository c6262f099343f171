package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.duplex.api.BootReport;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.VmRef;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.driver.tck.BaseDriverContractTest;
import dev.duplex.driver.tck.DriverBehavior;
import dev.duplex.driver.tck.VolumeProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;

/** The driver contract kit against the local driver, on a state folder of its own. */
class LocalDriverContractTest extends BaseDriverContractTest {
    private static final String MARKER_FILE = "duplex-tck-marker";
    private static final Set<DriverBehavior> SUPPORTED = EnumSet.of(
            DriverBehavior.REGISTER_IMAGE, DriverBehavior.CREATE_VOLUME, DriverBehavior.START_STOP,
            DriverBehavior.MOUNT_AT_BOOT, DriverBehavior.COPY_AT_BOOT, DriverBehavior.VOLUME_COPY,
            DriverBehavior.ENVIRONMENT_STORE, DriverBehavior.VOLUME_DATA_ACCESS, DriverBehavior.START_REPORTS_EARLY_EXIT,
            DriverBehavior.STOP_WAITS_UNTIL_GONE, DriverBehavior.COPY_AT_BOOT_WRITE_BACK);

    @TempDir
    static Path temp;

    private static Path state() {
        return temp.resolve("state");
    }

    @Override
    protected String expectedKind() {
        return "local";
    }

    @Override
    protected DriverConfig driverConfig() {
        return new DriverConfig("tck-local", "local:", Map.of("stop-grace-ms", "2000"), Optional.empty(), state());
    }

    @Override
    protected boolean supports(DriverBehavior behavior) {
        return SUPPORTED.contains(behavior);
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        Path source = TestImages.write(temp.resolve("sources").resolve(name), softwareVersion, TestImages.RUN_FOREVER);
        return new ImageSpec(name, softwareVersion, source.toString(), Map.of());
    }

    @Override
    protected ImageSpec exitingImageSpec(String name, String softwareVersion) {
        Path source = TestImages.write(temp.resolve("sources").resolve(name), softwareVersion,
                "echo 'cannot listen: address already in use' >&2; exit 3");
        return new ImageSpec(name, softwareVersion, source.toString(), Map.of());
    }

    /** No process of the VM's group runs, and its main process is not even a zombie: the JVM reaped it. */
    @Override
    protected void verifyGone(HypervisorDriver driver, VmRef vm) {
        try {
            VmProcess process = new VmFolder(state().resolve("vms").resolve(vm.id())).process().orElseThrow();
            assertEquals(Optional.empty(), ProcessStat.of(process.pid()), "the main process of " + vm + " is reaped");
            assertFalse(ProcessStat.groupHasMembers(process.pid()), "no process of " + vm + "'s group runs");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void writeIntoCopy(HypervisorDriver driver, VmRef vm, VolumeLink link, String marker) {
        Path copy = VmFolder.mountPoint(state().resolve("vms").resolve(vm.id()).resolve("root"), link);
        try {
            Files.writeString(copy.resolve(MARKER_FILE), marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return new VolumeProbe() {
            @Override
            public long writeMarker(VolumeRef volume, String marker) {
                Path data = state().resolve("volumes").resolve(volume.id()).resolve("data");
                try {
                    Files.writeString(data.resolve(MARKER_FILE), marker);
                    return TreeCopy.size(data);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Optional<String> readMarker(VolumeRef volume) {
                Path file = state().resolve("volumes").resolve(volume.id()).resolve("data").resolve(MARKER_FILE);
                try {
                    return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** Besides the byte count, the marker must be a real copy inside the VM's root, not a link. */
    @Override
    protected void verifyCopiedAtBoot(HypervisorDriver driver, VmRef vm, VolumeLink link, String marker,
            long bytesWritten, BootReport report) {
        super.verifyCopiedAtBoot(driver, vm, link, marker, bytesWritten, report);
        Path copy = VmFolder.mountPoint(state().resolve("vms").resolve(vm.id()).resolve("root"), link);
        assertFalse(Files.isSymbolicLink(copy), copy + " is a copy, not a link");
        try {
            assertEquals(marker, Files.readString(copy.resolve(MARKER_FILE), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
