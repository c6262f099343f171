package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.driver.tck.VolumeProbe;
import dev.duplex.driver.tck.VolumeSnapshotContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot contract against the local driver with its state folder on a file system that makes
 * reflinks (an XFS loop mount, {@link ReflinkFileSystem}): snapshots are declared and work.
 */
class LocalReflinkSnapshotContractTest extends VolumeSnapshotContractTest {
    @TempDir
    static Path temp;

    private ReflinkFileSystem fileSystem;

    private Path state() {
        if (fileSystem == null) {
            try {
                fileSystem = ReflinkFileSystem.mountUnder(temp);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return fileSystem.root().resolve("state");
    }

    @AfterAll
    void unmount() throws IOException {
        if (fileSystem != null) {
            fileSystem.close();
        }
    }

    @Override
    protected String expectedKind() {
        return "local";
    }

    @Override
    protected DriverConfig driverConfig() {
        return new DriverConfig("tck-local-reflink", "local:", Map.of("stop-grace-ms", "2000"), Optional.empty(), state());
    }

    @Override
    protected boolean supportsSnapshots() {
        return LocalSnapshotContractTest.clonesFiles(fileSystem.root());
    }

    @Override
    protected boolean volumeDataAccess() {
        return true;
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return new MarkerProbe(state());
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        Path source = TestImages.write(temp.resolve("sources").resolve(name), softwareVersion, TestImages.RUN_FOREVER);
        return new ImageSpec(name, softwareVersion, source.toString(), Map.of());
    }

    @Test
    void theXfsHereClonesSoSnapshotsAreDeclared() {
        assertTrue(supportsSnapshots(), "an XFS made with reflink=1 clones files");
    }

    @Test
    void snapshotsAreKeptOwnerOnlyAndShareTheVolumesBlocks() throws IOException {
        VolumeRef volume = createVolume();
        Path data = state().resolve("volumes").resolve(volume.id()).resolve("data");
        Files.write(data.resolve("table"), new byte[32 << 20]);
        long freeBefore = Files.getFileStore(data).getUsableSpace();

        VolumeSnapshot snapshot = driver().snapshotVolume(volume, "owner-only");

        Path shelf = state().resolve("volumes").resolve(volume.id()).resolve("snapshots");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(shelf, LinkOption.NOFOLLOW_LINKS)));
        assertEquals(32L << 20, Files.size(shelf.resolve("owner-only").resolve("data").resolve("table")));
        long used = freeBefore - Files.getFileStore(data).getUsableSpace();
        assertTrue(used < (8L << 20), "a 32 MiB file cloned, not copied: " + used + " bytes of space used");
        try (HypervisorDriver reconnected = connect()) {
            assertEquals(java.util.List.of(snapshot), reconnected.listSnapshots(volume));
        }
    }
}
