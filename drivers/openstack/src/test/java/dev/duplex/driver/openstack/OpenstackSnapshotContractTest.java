package dev.duplex.driver.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.Capability;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.driver.tck.VolumeProbe;
import dev.duplex.driver.tck.VolumeSnapshotContractTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The snapshot contract against the real peer's Cinder (Zed, fake volume driver): snapshots are
 * declared and taken, listed, found again from a new connection, reverted to with Cinder's
 * revert-to-snapshot (volume API 3.40) and deleted; a restore under a running server is refused.
 * The fake volume driver moves no bytes, so the kit cannot check content here
 * ({@link #volumeDataAccess()} is false): what a revert does to the data is Cinder's backend's
 * business, proven only against a real cloud (the {@code live} profile).
 *
 * <p>Beside the kit, Cinder's own rules as an operator meets them: the engine's order (snapshot
 * while the old, stopped server still holds the volume; restore after the new server is deleted),
 * a restore refused while a stopped server holds the volume, and one refused for a snapshot that is
 * not the volume's latest.
 */
@ExtendWith(OpenstackPeer.Extension.class)
class OpenstackSnapshotContractTest extends VolumeSnapshotContractTest implements OpenstackPeer.User {
    private OpenstackPeer peer;

    @Override
    public void usePeer(OpenstackPeer peer) {
        this.peer = peer;
    }

    @Override
    protected String expectedKind() {
        return "openstack";
    }

    @Override
    protected DriverConfig driverConfig() {
        return peer.driverConfig("openstack-snapshots", Map.of());
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

    /** Cinder sizes volumes in whole GiB. */
    @Override
    protected long volumeSizeBytes() {
        return 1L << 30;
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        return new ImageSpec(name, softwareVersion, peer.imageFile(softwareVersion).toString(), Map.of());
    }

    @Override
    protected Duration stateTimeout() {
        return Duration.ofSeconds(120);
    }

    @Test
    void theProviderDeclaresSnapshots() {
        assertTrue(new OpenstackDriverProvider().capabilities().supports(Capability.VOLUME_SNAPSHOT));
    }

    /**
     * The engine's order on OpenStack: S21 stops the old server, which keeps its volume
     * ({@code in-use}); the snapshot is taken then (Cinder's {@code force}). A restore while that
     * stopped server still holds the volume is refused naming it; once the server is deleted (as
     * the rollback deletes the new VM before it restores), the revert goes through.
     */
    @Test
    void aSnapshotOfAStoppedServersVolumeIsRestoredOnceNoServerHoldsIt() {
        VolumeRef volume = createVolume();
        ImageRef image = driver().registerImage(imageSpec(uniqueName("image"), "1.0"));
        VmRef vm = driver().createVm(new VmSpec(uniqueName("vm"), image,
                List.of(new VolumeLink(volume, mountPath(), VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()));
        VolumeSnapshot snapshot;
        try {
            driver().start(vm);
            ConflictException running = assertThrows(ConflictException.class,
                    () -> driver().snapshotVolume(volume, uniqueName("snapshot")));
            assertOneLine(running, volume.id(), vm.name(), "stop that VM first");
            driver().stop(vm, StopMode.GRACEFUL);

            snapshot = driver().snapshotVolume(volume, uniqueName("snapshot"));

            ConflictException held = assertThrows(ConflictException.class, () -> driver().restoreSnapshot(snapshot));
            assertOneLine(held, volume.id(), snapshot.name(), vm.name(), vm.id(), "stopped", "delete that VM");
        } finally {
            driver().deleteVm(vm);
            driver().deleteImage(image);
        }
        driver().restoreSnapshot(snapshot);
        assertEquals(List.of(snapshot), driver().listSnapshots(volume), "the snapshot is kept after its restore");
    }

    /** Cinder reverts only to a volume's latest snapshot: an older one is refused here, naming the later one to delete. */
    @Test
    void restoringASnapshotThatIsNotTheLatestIsRefusedNamingTheLaterOne() {
        VolumeRef volume = createVolume();
        VolumeSnapshot older = driver().snapshotVolume(volume, uniqueName("snapshot"));
        VolumeSnapshot newer = driver().snapshotVolume(volume, uniqueName("snapshot"));
        assertTrue(newer.createdAt().isAfter(older.createdAt()),
                "Cinder keeps created_at to the second: the later snapshot is taken in a later second, so 'latest' is no tie: "
                        + older + ", " + newer);

        ConflictException e = assertThrows(ConflictException.class, () -> driver().restoreSnapshot(older));

        assertOneLine(e, volume.id(), older.name(), newer.name(), newer.id(), "latest", "openstack volume snapshot delete " + newer.id());
        assertEquals(List.of(older, newer), driver().listSnapshots(volume), "both are kept");
        driver().deleteSnapshot(newer);
        driver().restoreSnapshot(older);
    }

    /** Cinder deletes no volume that has snapshots: the refusal names them, and both stay. */
    @Test
    void aVolumeWithASnapshotIsNotDeletedAndTheRefusalNamesIt() {
        VolumeRef volume = createVolume();
        VolumeSnapshot snapshot = driver().snapshotVolume(volume, uniqueName("snapshot"));

        ConflictException e = assertThrows(ConflictException.class, () -> driver().deleteVolume(volume));

        assertOneLine(e, volume.id(), snapshot.name(), snapshot.id(), "drop them first");
        assertEquals(List.of(snapshot), driver().listSnapshots(volume));
    }

    private static void assertOneLine(RuntimeException e, String... mentions) {
        String message = e.getMessage();
        System.out.println("Snapshot refusal as the operator sees it: " + message);
        assertFalse(message.contains("\n"), "one line: " + message);
        for (String mention : mentions) {
            assertTrue(message.contains(mention), "mentions '" + mention + "': " + message);
        }
    }
}
