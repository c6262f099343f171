package dev.duplex.driver.local;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageSpec;
import dev.duplex.driver.tck.VolumeProbe;
import dev.duplex.driver.tck.VolumeSnapshotContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot contract against the local driver on the test's temporary folder, whatever its file
 * system: the driver must declare snapshots exactly when {@code cp --reflink=always} works there
 * (checked by the test itself, here, beside the driver's own probe). On ext4 (this machine's /tmp)
 * that is never, and every snapshot operation must fail with the standard message.
 */
class LocalSnapshotContractTest extends VolumeSnapshotContractTest {
    @TempDir
    static Path temp;

    private Boolean reflinks;

    @Override
    protected String expectedKind() {
        return "local";
    }

    @Override
    protected DriverConfig driverConfig() {
        return new DriverConfig("tck-local-snapshots", "local:", Map.of("stop-grace-ms", "2000"), Optional.empty(),
                temp.resolve("state"));
    }

    @Override
    protected boolean supportsSnapshots() {
        if (reflinks == null) {
            reflinks = clonesFiles(temp);
        }
        return reflinks;
    }

    @Override
    protected boolean volumeDataAccess() {
        return true;
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return new MarkerProbe(temp.resolve("state"));
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        Path source = TestImages.write(temp.resolve("sources").resolve(name), softwareVersion, TestImages.RUN_FOREVER);
        return new ImageSpec(name, softwareVersion, source.toString(), Map.of());
    }

    /** The test's own check: clone a file of 64 KiB in {@code folder} with cp, as an operator would try it. */
    static boolean clonesFiles(Path folder) {
        try {
            Path source = Files.write(folder.resolve("reflink-check"), new byte[64 << 10]);
            Path clone = folder.resolve("reflink-check-clone");
            Process cp = new ProcessBuilder("cp", "--reflink=always", source.toString(), clone.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean cloned = cp.waitFor() == 0;
            Files.deleteIfExists(source);
            Files.deleteIfExists(clone);
            return cloned;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
