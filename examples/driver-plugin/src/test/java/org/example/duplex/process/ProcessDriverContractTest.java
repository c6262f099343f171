package org.example.duplex.process;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.VolumeRef;
import dev.duplex.driver.tck.BaseDriverContractTest;
import dev.duplex.driver.tck.DriverBehavior;
import dev.duplex.driver.tck.VolumeProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract kit against the process driver. Its peer is this host: VMs are real processes and
 * volumes real folders, so the kit's checks are checks of what the platform really did.
 */
class ProcessDriverContractTest extends BaseDriverContractTest {
    private static final String MARKER_FILE = "duplex-tck-marker";
    private static final Set<DriverBehavior> SUPPORTED = EnumSet.of(DriverBehavior.REGISTER_IMAGE, DriverBehavior.CREATE_VOLUME,
            DriverBehavior.START_STOP, DriverBehavior.MOUNT_AT_BOOT, DriverBehavior.VOLUME_DATA_ACCESS);

    @TempDir
    static Path temp;

    @Override
    protected String expectedKind() {
        return "process";
    }

    @Override
    protected DriverConfig driverConfig() {
        return new DriverConfig("tck-process", "process:", Map.of(), Optional.empty(), temp.resolve("state"));
    }

    @Override
    protected boolean supports(DriverBehavior behavior) {
        return SUPPORTED.contains(behavior);
    }

    /** A script that serves until stopped; the version is in its text, so two versions are two files. */
    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        try {
            Path script = Files.createDirectories(temp.resolve("images")).resolve(name + ".sh");
            Files.writeString(script, "echo 'version " + softwareVersion + " up'\nexec sleep 600\n");
            return new ImageSpec(name, softwareVersion, script.toString(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return new VolumeProbe() {
            @Override
            public long writeMarker(VolumeRef volume, String marker) {
                try {
                    Path file = temp.resolve("state").resolve("volumes").resolve(volume.id()).resolve(MARKER_FILE);
                    Files.writeString(file, marker);
                    return Files.size(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Optional<String> readMarker(VolumeRef volume) {
                Path file = temp.resolve("state").resolve("volumes").resolve(volume.id()).resolve(MARKER_FILE);
                try {
                    return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
