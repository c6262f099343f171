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
    void volumeIdsThatAreNotOursNeverReachTheFileSystem() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "untouched");
        java.util.List<String> hostile = java.util.List.of("../../outside", "/etc", "a/../b", "..", ".", "x\u0000y", "volumes",
                "../" + "x".repeat(300));
        int accepted = 0;
        for (String id : hostile) {
            VolumeRef volume = new VolumeRef(id, "hostile");
            VolumeSnapshot forged = new VolumeSnapshot(id + "@s", volume, "s", java.time.Instant.now());
            for (org.junit.jupiter.api.function.Executable call : java.util.List.<org.junit.jupiter.api.function.Executable>of(
                    () -> driver().snapshotVolume(volume, "s"), () -> driver().listSnapshots(volume), () -> driver().restoreSnapshot(forged))) {
                try {
                    call.execute();
                    accepted++;
                } catch (dev.duplex.api.ObjectNotFoundException expected) {
                    // refused, as it must be
                } catch (Throwable e) {
                    throw new AssertionError("volume id '" + id + "' refused with " + e + ", not as not found", e);
                }
            }
            driver().deleteSnapshot(forged); // nothing to delete: must not throw or touch anything
        }
        assertEquals(0, accepted, "calls accepted for volume ids that are not the driver's");
        assertEquals("untouched", Files.readString(outside.resolve("keep")));
    }

    @Test
    void aLinkPlantedAsTheSnapshotsFolderIsNeverWrittenThrough() throws IOException {
        VolumeRef volume = createVolume();
        Path outside = Files.createDirectories(temp.resolve("planted-target"));
        Path shelf = state().resolve("volumes").resolve(volume.id()).resolve("snapshots");
        Files.createSymbolicLink(shelf, outside);

        org.junit.jupiter.api.Assertions.assertThrows(dev.duplex.api.DriverException.class,
                () -> driver().snapshotVolume(volume, "through-the-link"));

        try (var entries = Files.list(outside)) {
            assertEquals(0, entries.count(), "nothing was written where the link points");
        }
        Files.delete(shelf);
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
