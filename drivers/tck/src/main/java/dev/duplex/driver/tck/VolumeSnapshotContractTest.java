package dev.duplex.driver.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.api.Capability;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.DuplexPlugin;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.StopMode;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.api.VolumeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * The volume snapshot contract ({@link Capability#VOLUME_SNAPSHOT}): what the engine relies on when it
 * snapshots a member's database volume before a link upgrade and restores it on rollback. A
 * driver's test module extends this class beside {@link BaseDriverContractTest}, declares whether
 * the connected driver snapshots ({@link #supportsSnapshots()}) and, when it can look into volumes,
 * gives a {@link VolumeProbe}. A driver without the capability must refuse every snapshot operation
 * with the standard unsupported message.
 *
 * <p>Snapshot names follow {@link dev.duplex.api.ObjectName}'s rule (the engine names them after
 * the job and the member); a name breaking it is refused with {@link InvalidSpecException} and
 * creates nothing, since drivers turn names into file names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class VolumeSnapshotContractTest {
    private static final String OPERATION = "volume snapshot";

    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger sequence = new AtomicInteger();
    private final List<VmRef> createdVms = new ArrayList<>();
    private final List<VolumeRef> createdVolumes = new ArrayList<>();
    private final List<ImageRef> createdImages = new ArrayList<>();
    private HypervisorDriver driver;

    // ---- hooks a driver's test implements

    /** The driver's kind, as its provider reports it. */
    protected abstract String expectedKind();

    /** How to connect to the peer under test; called for the shared connection and for each reconnect. */
    protected abstract DriverConfig driverConfig();

    /** Whether the connected driver takes snapshots on this peer. Declared, never guessed. */
    protected abstract boolean supportsSnapshots();

    /** Whether {@link #volumeProbe()} can write and read volume content on this peer. */
    protected abstract boolean volumeDataAccess();

    /** Access to volume content, or {@link VolumeProbe#unavailable()}. */
    protected abstract VolumeProbe volumeProbe();

    // ---- optional hooks

    /** The size of the volumes the kit creates. */
    protected long volumeSizeBytes() {
        return 16L << 20;
    }

    /** Properties for the volumes the kit creates. */
    protected Map<String, String> volumeProperties() {
        return Map.of();
    }

    /**
     * A bootable image whose VMs run until stopped, for the check that a restore under a running VM
     * is refused. The default skips that test.
     */
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        assumeTrue(false, "override imageSpec to check that a restore under a running VM is refused");
        throw new IllegalStateException("unreachable");
    }

    /** Where a VM mounts its first link. */
    protected String mountPath() {
        return "var/lib/duplex-tck-0";
    }

    /** Properties for the VMs the kit creates. */
    protected Map<String, String> vmProperties() {
        return Map.of();
    }

    /** How long a VM may take to reach a state. */
    protected Duration stateTimeout() {
        return Duration.ofSeconds(60);
    }

    // ---- lifecycle

    @BeforeAll
    final void connectSharedDriver() {
        driver = connect();
    }

    @AfterAll
    final void closeSharedDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    /** Deletes what the test made: VMs, each volume's snapshots, the volumes, the images. */
    @AfterEach
    final void deleteCreatedObjects() {
        AssertionError failure = new AssertionError("cleanup failed");
        for (VmRef vm : reversed(createdVms)) {
            cleanup(failure, () -> {
                if (driver.state(vm) != VmState.STOPPED && driver.state(vm) != VmState.CRASHED) {
                    driver.stop(vm, StopMode.FORCE);
                }
                driver.deleteVm(vm);
            });
        }
        for (VolumeRef volume : reversed(createdVolumes)) {
            if (supportsSnapshots()) {
                cleanup(failure, () -> driver.listSnapshots(volume).forEach(driver::deleteSnapshot));
            }
            cleanup(failure, () -> driver.deleteVolume(volume));
        }
        for (ImageRef image : reversed(createdImages)) {
            cleanup(failure, () -> driver.deleteImage(image));
        }
        createdVms.clear();
        createdVolumes.clear();
        createdImages.clear();
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    private static void cleanup(AssertionError failure, Executable step) {
        try {
            step.execute();
        } catch (ObjectNotFoundException alreadyGone) {
            // The test deleted it itself.
        } catch (Throwable e) {
            failure.addSuppressed(e);
        }
    }

    // ---- helpers

    /** The shared connection. */
    protected final HypervisorDriver driver() {
        return driver;
    }

    /** A new connection to the peer, as after an orchestrator restart. The caller closes it. */
    protected final HypervisorDriver connect() {
        return provider().connect(driverConfig());
    }

    private DriverProvider provider() {
        List<DriverProvider> all = new ArrayList<>();
        ServiceLoader.load(DuplexPlugin.class).forEach(plugin -> all.addAll(plugin.driverProviders()));
        ServiceLoader.load(DriverProvider.class).forEach(all::add);
        List<DriverProvider> found = all.stream().filter(p -> p.kind().equals(expectedKind())).toList();
        assertEquals(1, found.size(), "providers of kind '" + expectedKind() + "' on the class path");
        return found.get(0);
    }

    /** A name unique to this run that follows the object name rule. */
    protected final String uniqueName(String prefix) {
        return "tck-" + prefix + "-" + runId + "-" + sequence.incrementAndGet();
    }

    /** Creates a volume, deleted (with its snapshots) after the test. */
    protected final VolumeRef createVolume() {
        VolumeRef volume = driver.createVolume(
                new VolumeSpec(uniqueName("volume"), volumeSizeBytes(), "database", volumeProperties()));
        createdVolumes.add(volume);
        return volume;
    }

    private void assumeSnapshots() {
        assumeTrue(supportsSnapshots(), "the driver declares no volume snapshots");
    }

    private void assumeData() {
        assumeSnapshots();
        assumeTrue(volumeDataAccess(), "the test declares no volume data access");
    }

    private Optional<String> marker(VolumeRef volume) {
        return volumeProbe().readMarker(volume);
    }

    private static List<String> names(List<VolumeSnapshot> snapshots) {
        return snapshots.stream().map(VolumeSnapshot::name).toList();
    }

    // ---- capability

    @Test
    public void declaredSnapshotSupportMatchesTheDriversCapability() {
        assertEquals(supportsSnapshots(), driver.capabilities().supports(Capability.VOLUME_SNAPSHOT),
                "the test declares snapshots " + (supportsSnapshots() ? "" : "un") + "supported, the driver reports "
                        + driver.capabilities().describe());
        if (supportsSnapshots()) {
            assertTrue(provider().capabilities().supports(Capability.VOLUME_SNAPSHOT),
                    "a connected driver may report less than its provider, never more");
        }
    }

    @Test
    public void unsupportedSnapshotOperationsFailWithTheStandardMessage() {
        assumeFalse(supportsSnapshots());
        VolumeRef volume = createVolume();
        VolumeSnapshot made = new VolumeSnapshot("tck-made-up", volume, "tck-made-up", Instant.now());
        assertUnsupported(() -> driver.snapshotVolume(volume, uniqueName("snapshot")));
        assertUnsupported(() -> driver.listSnapshots(volume));
        assertUnsupported(() -> driver.restoreSnapshot(made));
        assertUnsupported(() -> driver.deleteSnapshot(made));
    }

    private void assertUnsupported(Executable operation) {
        UnsupportedOperationDriverException e = assertThrows(UnsupportedOperationDriverException.class, operation);
        assertEquals(UnsupportedOperationDriverException.standardMessage(driver.kind(), OPERATION), e.getMessage());
    }

    // ---- snapshot, restore, delete

    @Test
    public void restoreGivesBackTheContentOfTheMomentOfTheSnapshot() {
        assumeData();
        VolumeRef volume = createVolume();
        volumeProbe().writeMarker(volume, "old version's data");
        VolumeSnapshot snapshot = driver.snapshotVolume(volume, uniqueName("snapshot"));
        assertEquals(volume, snapshot.volume());
        volumeProbe().writeMarker(volume, "new version migrated the data");

        driver.restoreSnapshot(snapshot);

        assertEquals(Optional.of("old version's data"), marker(volume));
    }

    @Test
    public void aSnapshotSurvivesItsRestoreAndCanBeRestoredAgain() {
        assumeData();
        VolumeRef volume = createVolume();
        volumeProbe().writeMarker(volume, "first");
        VolumeSnapshot snapshot = driver.snapshotVolume(volume, uniqueName("snapshot"));
        volumeProbe().writeMarker(volume, "second");
        driver.restoreSnapshot(snapshot);
        volumeProbe().writeMarker(volume, "third");

        assertEquals(List.of(snapshot), driver.listSnapshots(volume), "the snapshot is kept after its restore");
        driver.restoreSnapshot(snapshot);

        assertEquals(Optional.of("first"), marker(volume));
    }

    @Test
    public void deletingASnapshotKeepsTheVolumesCurrentContent() {
        assumeData();
        VolumeRef volume = createVolume();
        volumeProbe().writeMarker(volume, "before");
        VolumeSnapshot snapshot = driver.snapshotVolume(volume, uniqueName("snapshot"));
        volumeProbe().writeMarker(volume, "after");

        driver.deleteSnapshot(snapshot);

        assertEquals(Optional.of("after"), marker(volume));
        assertEquals(List.of(), driver.listSnapshots(volume));
        volumeProbe().writeMarker(volume, "still writable");
        assertEquals(Optional.of("still writable"), marker(volume));
    }

    @Test
    public void deletingASnapshotThatIsGoneDoesNothing() {
        assumeSnapshots();
        VolumeRef volume = createVolume();
        VolumeSnapshot snapshot = driver.snapshotVolume(volume, uniqueName("snapshot"));
        driver.deleteSnapshot(snapshot);
        driver.deleteSnapshot(snapshot);
        assertEquals(List.of(), driver.listSnapshots(volume));
    }

    @Test
    public void aNameThatAlreadyHasASnapshotReturnsThatSnapshot() {
        assumeSnapshots();
        VolumeRef volume = createVolume();
        String name = uniqueName("snapshot");
        if (volumeDataAccess()) {
            volumeProbe().writeMarker(volume, "at the first call");
        }
        VolumeSnapshot first = driver.snapshotVolume(volume, name);
        if (volumeDataAccess()) {
            volumeProbe().writeMarker(volume, "between the calls");
        }

        VolumeSnapshot again = driver.snapshotVolume(volume, name);

        assertEquals(first, again, "a retry after a crash gets the snapshot taken before it");
        assertEquals(List.of(name), names(driver.listSnapshots(volume)));
        if (volumeDataAccess()) {
            driver.restoreSnapshot(again);
            assertEquals(Optional.of("at the first call"), marker(volume), "the second call took no new snapshot");
        }
    }

    @Test
    public void snapshotsAreListedPerVolumeOldestFirst() {
        assumeSnapshots();
        VolumeRef volume = createVolume();
        VolumeRef other = createVolume();
        String first = uniqueName("snapshot");
        String second = uniqueName("snapshot");
        VolumeSnapshot a = driver.snapshotVolume(volume, first);
        VolumeSnapshot b = driver.snapshotVolume(volume, second);

        assertEquals(List.of(a, b), driver.listSnapshots(volume));
        assertFalse(a.createdAt().isAfter(b.createdAt()), a + " before " + b);
        assertEquals(List.of(), driver.listSnapshots(other), "another volume has no snapshots");
    }

    @Test
    public void aNewConnectionFindsTheSnapshotByItsNameAndRestoresIt() {
        assumeSnapshots();
        VolumeRef volume = createVolume();
        String name = uniqueName("snapshot");
        if (volumeDataAccess()) {
            volumeProbe().writeMarker(volume, "kept across the restart");
        }
        VolumeSnapshot taken = driver.snapshotVolume(volume, name);
        if (volumeDataAccess()) {
            volumeProbe().writeMarker(volume, "written by the new version");
        }

        try (HypervisorDriver reconnected = connect()) {
            List<VolumeSnapshot> found = reconnected.listSnapshots(volume).stream()
                    .filter(s -> s.name().equals(name)).toList();
            assertEquals(List.of(taken), found, "found again after a restart by volume and name");
            assertEquals(taken, reconnected.snapshotVolume(volume, name), "a retry from a new connection");
            reconnected.restoreSnapshot(found.get(0));
        }
        if (volumeDataAccess()) {
            assertEquals(Optional.of("kept across the restart"), marker(volume));
        }
    }

    // ---- refusals

    @Test
    public void restoringAnUnknownSnapshotIsNotFound() {
        assumeSnapshots();
        VolumeRef volume = createVolume();
        String name = uniqueName("never-taken");
        VolumeSnapshot unknown = new VolumeSnapshot(name, volume, name, Instant.now());
        if (volumeDataAccess()) {
            volumeProbe().writeMarker(volume, "untouched");
        }

        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> driver.restoreSnapshot(unknown));

        assertTrue(e.getMessage().contains(name), "the message names the snapshot: " + e.getMessage());
        if (volumeDataAccess()) {
            assertEquals(Optional.of("untouched"), marker(volume));
        }
    }

    @Test
    public void aForgedSnapshotIdIsNeitherRestoredNorDeleted() {
        assumeSnapshots();
        VolumeRef volume = createVolume();
        VolumeRef other = createVolume();
        if (volumeDataAccess()) {
            volumeProbe().writeMarker(volume, "snapshotted");
        }
        VolumeSnapshot real = driver.snapshotVolume(volume, uniqueName("snapshot"));
        VolumeSnapshot elsewhere = driver.snapshotVolume(other, real.name());
        if (volumeDataAccess()) {
            volumeProbe().writeMarker(volume, "current");
        }
        List<VolumeSnapshot> forged = List.of(
                new VolumeSnapshot(real.id() + "-forged", volume, real.name(), real.createdAt()),
                new VolumeSnapshot(elsewhere.id(), volume, real.name(), real.createdAt()),
                new VolumeSnapshot(real.id(), other, real.name(), real.createdAt()));

        for (VolumeSnapshot snapshot : forged) {
            assertThrows(ObjectNotFoundException.class, () -> driver.restoreSnapshot(snapshot), snapshot.toString());
            driver.deleteSnapshot(snapshot);
        }

        assertEquals(List.of(real), driver.listSnapshots(volume), "the real snapshot is still there");
        assertEquals(List.of(elsewhere), driver.listSnapshots(other));
        if (volumeDataAccess()) {
            assertEquals(Optional.of("current"), marker(volume), "nothing was restored");
        }
    }

    @Test
    public void snapshotOfAVolumeThatIsGoneIsNotFound() {
        assumeSnapshots();
        VolumeRef volume = createVolume();
        driver.deleteVolume(volume);
        assertThrows(ObjectNotFoundException.class, () -> driver.snapshotVolume(volume, uniqueName("snapshot")));
    }

    @Test
    public void namesBreakingTheNameRuleAreRefusedAndCreateNothing() {
        assumeSnapshots();
        VolumeRef volume = createVolume();
        List<String> hostile = List.of("", " ", "../escape", "a/b", "..", ".hidden", "-option", "name\nsecond-line",
                "name with space", "x".repeat(64), "n\u0430me", "a\u0000b", "/abs", "a\\b");
        List<String> accepted = new ArrayList<>();
        for (String name : hostile) {
            try {
                driver.snapshotVolume(volume, name);
                accepted.add(name);
            } catch (InvalidSpecException expected) {
                // refused, as it must be
            } catch (RuntimeException e) {
                fail("'" + name.replace("\n", "\\n").replace("\u0000", "\\0") + "' refused with " + e + ", not InvalidSpecException");
            }
        }
        assertEquals(List.of(), accepted, "names accepted although they break the rule");
        assertEquals(List.of(), driver.listSnapshots(volume));
    }

    @Test
    public void restoreUnderARunningVmIsRefusedAndChangesNothing() {
        assumeSnapshots();
        VolumeRef volume = createVolume();
        if (volumeDataAccess()) {
            volumeProbe().writeMarker(volume, "snapshotted");
        }
        VolumeSnapshot snapshot = driver.snapshotVolume(volume, uniqueName("snapshot"));
        ImageRef image = driver.registerImage(imageSpec(uniqueName("image"), "1.0"));
        createdImages.add(image);
        VmRef vm = driver.createVm(new VmSpec(uniqueName("vm"), image,
                List.of(new VolumeLink(volume, mountPath(), VolumeLink.Mode.MOUNT_AT_BOOT)), vmProperties()));
        createdVms.add(vm);
        driver.start(vm);
        awaitState(vm, VmState.RUNNING);

        assertThrows(ConflictException.class, () -> driver.restoreSnapshot(snapshot));

        assertEquals(List.of(snapshot), driver.listSnapshots(volume));
        driver.stop(vm, StopMode.FORCE);
        awaitState(vm, VmState.STOPPED);
        if (volumeDataAccess()) {
            assertEquals(Optional.of("snapshotted"), marker(volume));
        }
    }

    private void awaitState(VmRef vm, VmState expected) {
        long deadline = System.nanoTime() + stateTimeout().toNanos();
        while (driver.state(vm) != expected) {
            if (System.nanoTime() - deadline > 0) {
                fail("VM " + vm + " is " + driver.state(vm) + ", not " + expected + " after " + stateTimeout());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + vm);
            }
        }
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        Collections.reverse(copy);
        return copy;
    }
}
