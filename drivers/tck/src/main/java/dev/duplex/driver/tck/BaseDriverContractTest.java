package dev.duplex.driver.tck;

import static dev.duplex.driver.tck.DriverBehavior.COPY_AT_BOOT;
import static dev.duplex.driver.tck.DriverBehavior.COPY_AT_BOOT_WRITE_BACK;
import static dev.duplex.driver.tck.DriverBehavior.CREATE_VOLUME;
import static dev.duplex.driver.tck.DriverBehavior.ENVIRONMENT_STORE;
import static dev.duplex.driver.tck.DriverBehavior.HOT_ATTACH;
import static dev.duplex.driver.tck.DriverBehavior.MOUNT_AT_BOOT;
import static dev.duplex.driver.tck.DriverBehavior.REGISTER_IMAGE;
import static dev.duplex.driver.tck.DriverBehavior.START_REPORTS_EARLY_EXIT;
import static dev.duplex.driver.tck.DriverBehavior.START_STOP;
import static dev.duplex.driver.tck.DriverBehavior.STOP_WAITS_UNTIL_GONE;
import static dev.duplex.driver.tck.DriverBehavior.VOLUME_COPY;
import static dev.duplex.driver.tck.DriverBehavior.VOLUME_DATA_ACCESS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.api.BootReport;
import dev.duplex.api.BytePatch;
import dev.duplex.api.ConflictException;
import dev.duplex.api.CopyProgress;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.DuplexPlugin;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.StopMode;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmStartFailedException;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeCopy;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * The driver contract: what every Duplex driver, ours and third parties', must do. A driver's
 * test module extends this class, says how to reach a peer ({@link #driverConfig()}), which
 * {@link DriverBehavior behaviours} the driver has ({@link #supports(DriverBehavior)}), how to make a
 * bootable image on that peer ({@link #imageSpec(String, String)}) and how to look into a volume
 * ({@link #volumeProbe()}). Tests of unsupported behaviours show as skipped; unsupported optional
 * operations must fail with the standard message.
 *
 * <p>The kit is written for slow and remote peers too: every object name is unique per run,
 * state changes are polled with {@link #stateTimeout()}, and each test deletes what it created,
 * so tests do not depend on each other or on their order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BaseDriverContractTest {
    private static final String UNKNOWN_PROPERTY = "duplex-tck-unknown-key";

    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger sequence = new AtomicInteger();
    private final List<VmRef> createdVms = new ArrayList<>();
    private final List<VolumeRef> createdVolumes = new ArrayList<>();
    private final List<ImageRef> createdImages = new ArrayList<>();
    private HypervisorDriver driver;

    // ---- hooks a driver's test implements

    /** The driver's kind, as its provider reports it ({@code "local"}, {@code "kvm"}, ...). */
    protected abstract String expectedKind();

    /** How to connect to the peer under test; called for the shared connection and for each reconnect. */
    protected abstract DriverConfig driverConfig();

    /** Whether the driver, connected to this peer, has {@code behavior}. Declared, never guessed. */
    protected abstract boolean supports(DriverBehavior behavior);

    /**
     * A bootable image on the peer whose VMs run until stopped. Called with a new unique name each
     * time; two calls with different versions must give images the driver can tell apart.
     */
    protected abstract ImageSpec imageSpec(String name, String softwareVersion);

    /** Access to volume content on the peer, or {@link VolumeProbe#unavailable()} without {@link DriverBehavior#VOLUME_DATA_ACCESS}. */
    protected abstract VolumeProbe volumeProbe();

    // ---- optional hooks

    /** How long a VM may take to reach a state; raise it for slow peers. */
    protected Duration stateTimeout() {
        return Duration.ofSeconds(60);
    }

    /** The size of the volumes the kit creates. */
    protected long volumeSizeBytes() {
        return 16L << 20;
    }

    /** Where the {@code index}-th link of a VM is mounted (a path for local, a target device such as {@code vdb} for KVM). */
    protected String mountPath(int index) {
        return "var/lib/duplex-tck-" + index;
    }

    /** Properties for the VMs the kit creates (memory, network, ...). */
    protected Map<String, String> vmProperties() {
        return Map.of();
    }

    /** Properties for the volumes the kit creates (storage pool, format, ...). */
    protected Map<String, String> volumeProperties() {
        return Map.of();
    }

    /**
     * Whether {@code copyVolume} fills an existing volume, given {@link DriverBehavior#VOLUME_COPY}. A
     * platform that copies only into a new volume (a storage-side clone: Cinder gives the copy an id of
     * its own) overrides this with {@code false}; its {@code cloneVolume} is what the kit checks then.
     */
    protected boolean copiesIntoExistingVolume() {
        return supports(VOLUME_COPY);
    }

    /** The names of the environment items the kit writes; a firmware store may accept only some names. */
    protected List<String> environmentItemNames() {
        return List.of("settings", "configuration");
    }

    /**
     * Checks that starting {@code vm} copied the linked volume in. The default compares the boot
     * report with what the probe wrote; override to also look inside the VM.
     *
     * @param bytesWritten what {@link VolumeProbe#writeMarker} returned
     */
    protected void verifyCopiedAtBoot(HypervisorDriver driver, VmRef vm, VolumeLink link, String marker,
            long bytesWritten, BootReport report) {
        assertEquals(bytesWritten, report.bytesCopied(), "bytes copied at boot of " + vm);
        assertFalse(report.copyTime().isNegative(), "copy time of " + vm);
    }

    /**
     * An image on the peer whose VMs end at once (a guest that powers off, a command that exits
     * with a message on its console), for {@link DriverBehavior#START_REPORTS_EARLY_EXIT}. The
     * default skips the test: a driver declaring that behaviour overrides it.
     */
    protected ImageSpec exitingImageSpec(String name, String softwareVersion) {
        assumeTrue(false, "override exitingImageSpec to run the START_REPORTS_EARLY_EXIT tests");
        throw new IllegalStateException("unreachable");
    }

    /**
     * Checks on the peer that a VM just stopped is really gone: no process of it left, not even
     * one waiting to be reaped, nothing holding its files. Called right after {@code stop}
     * returned, without waiting. The default checks nothing beyond the kit's own checks.
     */
    protected void verifyGone(HypervisorDriver driver, VmRef vm) {
    }

    /**
     * Writes {@code marker} into the running {@code vm}'s copy of {@code link}'s volume, where the
     * {@link VolumeProbe} would find it in the volume itself, as the guest would. For
     * {@link DriverBehavior#COPY_AT_BOOT_WRITE_BACK}; the default skips the test.
     */
    protected void writeIntoCopy(HypervisorDriver driver, VmRef vm, VolumeLink link, String marker) {
        assumeTrue(false, "override writeIntoCopy to run the COPY_AT_BOOT_WRITE_BACK tests");
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

    /** Deletes what the test created (VMs, then volumes, then images), even when the test failed. */
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

    // ---- helpers for subclasses

    /** The shared connection. */
    protected final HypervisorDriver driver() {
        return driver;
    }

    /**
     * The provider of {@link #expectedKind()}, found through {@link ServiceLoader} as Duplex finds
     * it: among the {@link DuplexPlugin}s' driver providers and the bare {@link DriverProvider}s.
     */
    protected final DriverProvider provider() {
        List<DriverProvider> all = new ArrayList<>();
        ServiceLoader.load(DuplexPlugin.class).forEach(plugin -> all.addAll(plugin.driverProviders()));
        ServiceLoader.load(DriverProvider.class).forEach(all::add);
        List<DriverProvider> found = all.stream()
                .filter(p -> p.kind().equals(expectedKind()))
                .toList();
        assertEquals(1, found.size(), "providers of kind '" + expectedKind() + "' on the class path");
        return found.get(0);
    }

    /** A new connection to the peer, as after an orchestrator restart. The caller closes it. */
    protected final HypervisorDriver connect() {
        return provider().connect(driverConfig());
    }

    /** A name unique to this run, so runs against a shared peer do not collide. */
    protected final String uniqueName(String prefix) {
        return "tck-" + prefix + "-" + runId + "-" + sequence.incrementAndGet();
    }

    /** Registers an image of {@code version}, deleted after the test. */
    protected final ImageRef registerImage(String version) {
        ImageRef image = driver.registerImage(imageSpec(uniqueName("image"), version));
        createdImages.add(image);
        return image;
    }

    /** Creates a volume, deleted after the test. */
    protected final VolumeRef createVolume() {
        VolumeRef volume = driver.createVolume(
                new VolumeSpec(uniqueName("volume"), volumeSizeBytes(), "database", volumeProperties()));
        createdVolumes.add(volume);
        return volume;
    }

    /** Creates a VM, stopped and deleted after the test. */
    protected final VmRef createVm(ImageRef image, List<VolumeLink> links) {
        VmRef vm = driver.createVm(new VmSpec(uniqueName("vm"), image, links, vmProperties()));
        createdVms.add(vm);
        return vm;
    }

    /** Polls until {@code vm} is in {@code expected}; fails with the last state seen after {@link #stateTimeout()}. */
    protected final void awaitState(HypervisorDriver connection, VmRef vm, VmState expected) {
        long deadline = System.nanoTime() + stateTimeout().toNanos();
        long pauseMillis = 10;
        VmState last = connection.state(vm);
        while (last != expected) {
            if (System.nanoTime() - deadline > 0) {
                fail("VM " + vm + " is " + last + ", not " + expected + " after " + stateTimeout());
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + vm);
            }
            pauseMillis = Math.min(pauseMillis * 2, 500);
            last = connection.state(vm);
        }
    }

    /** The link mode the driver supports, mounting preferred; skips the test when it has none. */
    protected final VolumeLink.Mode supportedLinkMode() {
        if (supports(MOUNT_AT_BOOT)) {
            return VolumeLink.Mode.MOUNT_AT_BOOT;
        }
        assumeTrue(supports(COPY_AT_BOOT), "the driver supports no link mode");
        return VolumeLink.Mode.COPY_AT_BOOT;
    }

    // ---- provider and capabilities

    @Test
    public void providerIsFoundByItsKindAndClaimsNoMoreThanItDeclares() {
        DriverProvider provider = provider();
        assertEquals(expectedKind(), provider.kind());
        assertEquals(expectedKind(), driver.kind());
        assertTrue(provider.capabilities().features().containsAll(driver.capabilities().features()),
                "a connected driver may report less than its provider, never more: provider "
                        + provider.capabilities().describe() + ", driver " + driver.capabilities().describe());
    }

    @Test
    public void declaredBehavioursMatchTheDriversCapabilities() {
        for (DriverBehavior behavior : DriverBehavior.values()) {
            behavior.capability().ifPresent(capability -> assertEquals(supports(behavior),
                    driver.capabilities().supports(capability),
                    "the test declares " + behavior + (supports(behavior) ? "" : " un") + "supported, the driver "
                            + "reports " + driver.capabilities().describe()));
        }
    }

    @Test
    public void unknownConfigurationPropertyIsRefused() {
        DriverConfig config = driverConfig();
        Map<String, String> properties = new HashMap<>(config.properties());
        properties.put(UNKNOWN_PROPERTY, "x");
        DriverConfig wrong = new DriverConfig(config.endpoint(), config.uri(), properties, config.credentialFile(),
                config.workDirectory());
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> provider().connect(wrong).close());
        assertTrue(e.getMessage().contains(UNKNOWN_PROPERTY), e.getMessage());
    }

    // ---- images and volumes

    @Test
    public void registeredImageIsListed() {
        assumeTrue(supports(REGISTER_IMAGE));
        ImageRef image = registerImage("1.0");
        assertTrue(driver.listImages().contains(new ImageInfo(image, "1.0")), "listed images: " + driver.listImages());
        driver.deleteImage(image);
        assertFalse(driver.listImages().stream().anyMatch(i -> i.image().equals(image)), "image deleted");
    }

    @Test
    public void imageWithUnknownPropertyIsRefused() {
        assumeTrue(supports(REGISTER_IMAGE));
        ImageSpec spec = imageSpec(uniqueName("image"), "1.0");
        Map<String, String> properties = new HashMap<>(spec.properties());
        properties.put(UNKNOWN_PROPERTY, "x");
        ImageSpec wrong = new ImageSpec(spec.name(), spec.softwareVersion(), spec.source(), properties);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> createdImages.add(driver.registerImage(wrong)));
        assertTrue(e.getMessage().contains(UNKNOWN_PROPERTY), e.getMessage());
    }

    @Test
    public void createdVolumeIsListed() {
        assumeTrue(supports(CREATE_VOLUME));
        VolumeRef volume = createVolume();
        Optional<VolumeInfo> listed = driver.listVolumes().stream().filter(v -> v.volume().equals(volume)).findFirst();
        assertTrue(listed.isPresent(), "listed volumes: " + driver.listVolumes());
        assertEquals(volumeSizeBytes(), listed.get().sizeBytes());
        assertEquals("database", listed.get().purpose());
        driver.deleteVolume(volume);
        assertFalse(driver.listVolumes().stream().anyMatch(v -> v.volume().equals(volume)), "volume deleted");
    }

    @Test
    public void volumeWithUnknownPropertyIsRefused() {
        assumeTrue(supports(CREATE_VOLUME));
        Map<String, String> properties = new HashMap<>(volumeProperties());
        properties.put(UNKNOWN_PROPERTY, "x");
        VolumeSpec wrong = new VolumeSpec(uniqueName("volume"), volumeSizeBytes(), "database", properties);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> createdVolumes.add(driver.createVolume(wrong)));
        assertTrue(e.getMessage().contains(UNKNOWN_PROPERTY), e.getMessage());
    }

    @Test
    public void vmWithUnknownPropertyIsRefused() {
        assumeTrue(supports(REGISTER_IMAGE));
        ImageRef image = registerImage("1.0");
        Map<String, String> properties = new HashMap<>(vmProperties());
        properties.put(UNKNOWN_PROPERTY, "x");
        VmSpec wrong = new VmSpec(uniqueName("vm"), image, List.of(), properties);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> createdVms.add(driver.createVm(wrong)));
        assertTrue(e.getMessage().contains(UNKNOWN_PROPERTY), e.getMessage());
    }

    // ---- VMs, links and the zero-copy upgrade

    @Test
    public void vmWithMountedVolumeStartsAndStops() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME) && supports(MOUNT_AT_BOOT) && supports(START_STOP));
        ImageRef image = registerImage("1.0");
        VolumeRef volume = createVolume();
        VolumeLink link = new VolumeLink(volume, mountPath(0), VolumeLink.Mode.MOUNT_AT_BOOT);
        VmRef vm = createVm(image, List.of(link));

        VmInfo defined = driver.describeVm(vm);
        assertEquals(VmState.STOPPED, defined.state());
        assertEquals(image, defined.image());
        assertEquals(List.of(link), defined.links());
        assertTrue(driver.listVms().stream().anyMatch(v -> v.vm().equals(vm)), "VM listed");

        BootReport report = driver.start(vm);
        assertEquals(vm, report.vm());
        assertEquals(0, report.bytesCopied(), "a mounted volume is not copied");
        awaitState(driver, vm, VmState.RUNNING);

        driver.stop(vm, StopMode.GRACEFUL);
        assertEquals(VmState.STOPPED, driver.state(vm), "stop returns when the VM is stopped");
        driver.stop(vm, StopMode.GRACEFUL); // stopping a stopped VM does nothing
        assertEquals(VmState.STOPPED, driver.state(vm));
    }

    @Test
    public void aVmIsFoundByItsNameAndByTheVolumeItLinksUntilItIsDeleted() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME));
        ImageRef image = registerImage("1.0");
        VolumeRef volume = createVolume();
        VolumeRef unlinked = createVolume();
        VmRef vm = createVm(image, List.of(new VolumeLink(volume, mountPath(0), supportedLinkMode())));

        assertEquals(Optional.of(vm), driver.findVm(vm.name()).map(VmInfo::vm), "found by its name");
        assertEquals(Optional.empty(), driver.findVm("tck-missing-vm-" + runId));
        assertEquals(List.of(vm), driver.vmsLinking(volume).stream().map(VmInfo::vm).toList(), "the VM that links the volume");
        assertEquals(List.of(), driver.vmsLinking(unlinked), "no VM links the other volume");

        driver.deleteVm(vm);
        assertEquals(Optional.empty(), driver.findVm(vm.name()), "a deleted VM is not found by its name");
        assertEquals(List.of(), driver.vmsLinking(volume), "nor by the volume it linked");
    }

    @Test
    public void linkedVolumeDataSurvivesUpgradeToAnotherImage() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME) && supports(START_STOP) && supports(VOLUME_DATA_ACCESS));
        VolumeLink.Mode mode = supportedLinkMode();
        assumeTrue(mode == VolumeLink.Mode.MOUNT_AT_BOOT, "data written by the VM only survives a mounted link");
        ImageRef oldImage = registerImage("1.0");
        ImageRef newImage = registerImage("2.0");
        VolumeRef volume = createVolume();
        String marker = "database-" + runId;
        volumeProbe().writeMarker(volume, marker);
        VolumeLink link = new VolumeLink(volume, mountPath(0), mode);

        VmRef oldVm = createVm(oldImage, List.of(link));
        driver.start(oldVm);
        awaitState(driver, oldVm, VmState.RUNNING);
        driver.stop(oldVm, StopMode.GRACEFUL);
        driver.deleteVm(oldVm);

        VmRef newVm = createVm(newImage, List.of(link));
        assertEquals(newImage, driver.describeVm(newVm).image());
        driver.start(newVm);
        awaitState(driver, newVm, VmState.RUNNING);
        driver.stop(newVm, StopMode.GRACEFUL);
        assertEquals(Optional.of(marker), volumeProbe().readMarker(volume), "the database volume after the upgrade");
    }

    @Test
    public void deletingVmNeverDeletesLinkedVolume() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME));
        VolumeLink.Mode mode = supportedLinkMode();
        ImageRef image = registerImage("1.0");
        VolumeRef volume = createVolume();
        String marker = "kept-" + runId;
        if (supports(VOLUME_DATA_ACCESS)) {
            volumeProbe().writeMarker(volume, marker);
        }
        VmRef vm = createVm(image, List.of(new VolumeLink(volume, mountPath(0), mode)));
        if (supports(START_STOP)) {
            driver.start(vm);
            awaitState(driver, vm, VmState.RUNNING);
            driver.stop(vm, StopMode.FORCE);
        }
        driver.deleteVm(vm);

        assertFalse(driver.listVms().stream().anyMatch(v -> v.vm().equals(vm)), "VM deleted");
        assertNotFound(vm.id(), () -> driver.describeVm(vm));
        assertTrue(driver.listVolumes().stream().anyMatch(v -> v.volume().equals(volume)), "linked volume still listed");
        if (supports(VOLUME_DATA_ACCESS)) {
            assertEquals(Optional.of(marker), volumeProbe().readMarker(volume), "linked volume's data");
        }
    }

    @Test
    public void copyAtBootCopiesTheVolumeIn() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME) && supports(COPY_AT_BOOT) && supports(START_STOP));
        ImageRef image = registerImage("1.0");
        VolumeRef volume = createVolume();
        String marker = "copied-" + runId;
        long written = supports(VOLUME_DATA_ACCESS) ? volumeProbe().writeMarker(volume, marker) : -1;
        VolumeLink link = new VolumeLink(volume, mountPath(0), VolumeLink.Mode.COPY_AT_BOOT);
        VmRef vm = createVm(image, List.of(link));

        BootReport report = driver.start(vm);
        awaitState(driver, vm, VmState.RUNNING);
        if (supports(VOLUME_DATA_ACCESS)) {
            assertTrue(report.bytesCopied() > 0, "bytes copied at boot: " + report.bytesCopied());
            verifyCopiedAtBoot(driver, vm, link, marker, written, report);
        }
        driver.stop(vm, StopMode.FORCE);
        assertEquals(VmState.STOPPED, driver.state(vm));
        if (supports(VOLUME_DATA_ACCESS)) {
            assertEquals(Optional.of(marker), volumeProbe().readMarker(volume), "the source volume is left as it was");
        }
    }

    @Test
    public void whatTheVmWroteToItsCopyIsWrittenBackAtStopAndCopiedInAtTheNextBoot() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME) && supports(COPY_AT_BOOT) && supports(START_STOP)
                && supports(VOLUME_DATA_ACCESS) && supports(COPY_AT_BOOT_WRITE_BACK));
        ImageRef image = registerImage("1.0");
        VolumeRef volume = createVolume();
        volumeProbe().writeMarker(volume, "before-" + runId);
        VolumeLink link = new VolumeLink(volume, mountPath(0), VolumeLink.Mode.COPY_AT_BOOT);
        VmRef vm = createVm(image, List.of(link));

        driver.start(vm);
        awaitState(driver, vm, VmState.RUNNING);
        String written = "written-by-the-vm-" + runId;
        writeIntoCopy(driver, vm, link, written);
        driver.stop(vm, StopMode.GRACEFUL);
        assertEquals(Optional.of(written), volumeProbe().readMarker(volume), "the VM's write is in the volume after stop");

        BootReport again = driver.start(vm);
        awaitState(driver, vm, VmState.RUNNING);
        assertTrue(again.bytesCopied() > 0, "the next boot copies the volume in again: " + again.bytesCopied());
        driver.stop(vm, StopMode.FORCE);
        assertEquals(Optional.of(written), volumeProbe().readMarker(volume),
                "the next boot copied the VM's write in, and the stop saved it back again");
    }

    @Test
    public void copyVolumeCopiesTheContent() {
        assumeTrue(supports(CREATE_VOLUME) && supports(VOLUME_COPY) && copiesIntoExistingVolume());
        VolumeRef source = createVolume();
        VolumeRef target = createVolume();
        String marker = "source-" + runId;
        long written = 0;
        if (supports(VOLUME_DATA_ACCESS)) {
            written = volumeProbe().writeMarker(source, marker);
            volumeProbe().writeMarker(target, "old-content-to-be-replaced");
        }
        AtomicLong lastCopied = new AtomicLong(-1);
        long copied = driver.copyVolume(source, target, (done, total) -> {
            assertTrue(done >= lastCopied.get(), "progress never goes back");
            lastCopied.set(done);
        });

        assertTrue(copied >= 0, "bytes copied: " + copied);
        if (lastCopied.get() >= 0) {
            assertEquals(copied, lastCopied.get(), "the last progress report is the total copied");
        }
        if (supports(VOLUME_DATA_ACCESS)) {
            assertEquals(written, copied, "bytes copied");
            assertEquals(Optional.of(marker), volumeProbe().readMarker(target), "target content");
            assertEquals(Optional.of(marker), volumeProbe().readMarker(source), "source content");
        }
    }

    // ---- cloneVolume: a copy into a new volume (the snapshot-copy strategy's copy)

    @Test
    public void cloneVolumeMakesANewListedVolumeWithTheContentAndLeavesTheSourceAsItWas() {
        assumeTrue(supports(CREATE_VOLUME) && supports(VOLUME_COPY));
        VolumeRef source = createVolume();
        String marker = "clone-source-" + runId;
        long written = supports(VOLUME_DATA_ACCESS) ? volumeProbe().writeMarker(source, marker) : -1;
        VolumeSpec spec = new VolumeSpec(uniqueName("clone"), volumeSizeBytes(), "database", volumeProperties());
        AtomicLong lastCopied = new AtomicLong(-1);

        VolumeCopy copy = driver.cloneVolume(source, spec, (done, total) -> {
            assertTrue(done >= lastCopied.get(), "progress never goes back");
            lastCopied.set(done);
        });
        createdVolumes.add(copy.volume());

        assertNotEquals(source.id(), copy.volume().id(), "the clone is a volume of its own");
        assertEquals(spec.name(), copy.volume().name());
        Optional<VolumeInfo> listed = driver.listVolumes().stream().filter(v -> v.volume().equals(copy.volume())).findFirst();
        assertTrue(listed.isPresent(), "the clone is listed: " + driver.listVolumes());
        assertEquals(volumeSizeBytes(), listed.get().sizeBytes(), "the clone's size");
        assertEquals("database", listed.get().purpose(), "the clone's purpose");
        Optional<VolumeInfo> original = driver.listVolumes().stream().filter(v -> v.volume().equals(source)).findFirst();
        assertTrue(original.isPresent(), "the source is still listed");
        assertEquals(volumeSizeBytes(), original.get().sizeBytes(), "the source's size");
        if (lastCopied.get() >= 0) {
            assertEquals(copy.bytes(), lastCopied.get(), "the last progress report is the total copied");
        }
        if (supports(VOLUME_DATA_ACCESS)) {
            assertTrue(copy.bytes() == written || copy.bytes() == 0, "bytes copied (or 0 for a storage-side clone): " + copy.bytes());
            assertEquals(Optional.of(marker), volumeProbe().readMarker(copy.volume()), "the clone's content");
            volumeProbe().writeMarker(copy.volume(), "written-into-the-clone-" + runId);
            assertEquals(Optional.of(marker), volumeProbe().readMarker(source), "the source's content, after a write into the clone");
        }
    }

    @Test
    public void cloneOfAnUnknownVolumeIsNotFoundAndLeavesNoVolume() {
        assumeTrue(supports(CREATE_VOLUME) && supports(VOLUME_COPY));
        VolumeRef unknown = new VolumeRef("tck-missing-volume-" + runId, "tck-missing-volume-" + runId);
        VolumeSpec spec = new VolumeSpec(uniqueName("clone"), volumeSizeBytes(), "database", volumeProperties());

        assertNotFound(unknown.id(), () -> createdVolumes.add(driver.cloneVolume(unknown, spec, CopyProgress.NONE).volume()));
        assertFalse(driver.listVolumes().stream().anyMatch(v -> v.volume().name().equals(spec.name())),
                "no half-made clone is left: " + driver.listVolumes());
    }

    @Test
    public void copyIntoAnExistingVolumeIsRefusedWhereTheDriverOnlyClones() {
        assumeTrue(supports(CREATE_VOLUME) && supports(VOLUME_COPY) && !copiesIntoExistingVolume());
        VolumeRef source = createVolume();
        VolumeRef target = createVolume();
        UnsupportedOperationDriverException e = assertThrows(UnsupportedOperationDriverException.class,
                () -> driver.copyVolume(source, target, CopyProgress.NONE));
        assertTrue(e.getMessage().contains(driver.kind()), e.getMessage());
    }

    @Test
    public void hotAttachedVolumeIsLinkedUntilDetached() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME) && supports(HOT_ATTACH) && supports(START_STOP));
        ImageRef image = registerImage("1.0");
        VolumeRef volume = createVolume();
        VmRef vm = createVm(image, List.of());
        driver.start(vm);
        awaitState(driver, vm, VmState.RUNNING);
        VolumeLink link = new VolumeLink(volume, mountPath(1), VolumeLink.Mode.MOUNT_AT_BOOT);

        driver.attachVolume(vm, link);
        assertTrue(driver.describeVm(vm).links().stream().anyMatch(l -> l.volume().equals(volume)), "attached");
        driver.detachVolume(vm, volume);
        assertFalse(driver.describeVm(vm).links().stream().anyMatch(l -> l.volume().equals(volume)), "detached");
        driver.stop(vm, StopMode.FORCE);
    }

    // ---- refusals

    @Test
    public void runningVmCannotBeDeleted() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(START_STOP));
        VmRef vm = createVm(registerImage("1.0"), List.of());
        driver.start(vm);
        awaitState(driver, vm, VmState.RUNNING);

        assertThrows(ConflictException.class, () -> driver.deleteVm(vm));
        assertEquals(VmState.RUNNING, driver.state(vm), "a refused delete leaves the VM running");
        driver.stop(vm, StopMode.FORCE);
    }

    @Test
    public void linkedVolumeCannotBeDeleted() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME));
        VolumeLink.Mode mode = supportedLinkMode();
        VolumeRef volume = createVolume();
        VmRef vm = createVm(registerImage("1.0"), List.of(new VolumeLink(volume, mountPath(0), mode)));

        ConflictException e = assertThrows(ConflictException.class, () -> driver.deleteVolume(volume));
        assertTrue(e.getMessage().contains(vm.name()), "the refusal names the VM: " + e.getMessage());
        assertTrue(driver.listVolumes().stream().anyMatch(v -> v.volume().equals(volume)), "volume still listed");
    }

    @Test
    public void usedImageCannotBeDeleted() {
        assumeTrue(supports(REGISTER_IMAGE));
        ImageRef image = registerImage("1.0");
        createVm(image, List.of());

        assertThrows(ConflictException.class, () -> driver.deleteImage(image));
        assertTrue(driver.listImages().stream().anyMatch(i -> i.image().equals(image)), "image still listed");
    }

    // ---- unknown objects

    @Test
    public void unknownVmIsNotFound() {
        VmRef unknown = new VmRef("tck-missing-vm-" + runId, "tck-missing-vm-" + runId);
        assertNotFound(unknown.id(), () -> driver.describeVm(unknown));
        assertNotFound(unknown.id(), () -> driver.state(unknown));
        assertNotFound(unknown.id(), () -> driver.start(unknown));
        assertNotFound(unknown.id(), () -> driver.stop(unknown, StopMode.FORCE));
        assertNotFound(unknown.id(), () -> driver.deleteVm(unknown));
    }

    @Test
    public void unknownVolumeAndImageAreNotFound() {
        VolumeRef volume = new VolumeRef("tck-missing-volume-" + runId, "tck-missing-volume-" + runId);
        ImageRef image = new ImageRef("tck-missing-image-" + runId, "tck-missing-image-" + runId);
        if (supports(CREATE_VOLUME)) {
            assertNotFound(volume.id(), () -> driver.deleteVolume(volume));
        }
        if (supports(REGISTER_IMAGE)) {
            assertNotFound(image.id(), () -> driver.deleteImage(image));
            assertNotFound(image.id(), () -> createdVms.add(driver.createVm(
                    new VmSpec(uniqueName("vm"), image, List.of(), vmProperties()))));
        }
        if (supports(REGISTER_IMAGE) && (supports(MOUNT_AT_BOOT) || supports(COPY_AT_BOOT))) {
            ImageRef known = registerImage("1.0");
            VolumeLink link = new VolumeLink(volume, mountPath(0), supportedLinkMode());
            assertNotFound(volume.id(), () -> createdVms.add(driver.createVm(
                    new VmSpec(uniqueName("vm"), known, List.of(link), vmProperties()))));
        }
        if (supports(VOLUME_COPY) && supports(CREATE_VOLUME) && copiesIntoExistingVolume()) {
            VolumeRef known = createVolume();
            assertNotFound(volume.id(), () -> driver.copyVolume(volume, known, (d, t) -> {}));
        }
    }

    @Test
    public void environmentOfUnknownVmIsNotFound() {
        assumeTrue(supports(ENVIRONMENT_STORE));
        VmRef unknown = new VmRef("tck-missing-vm-" + runId, "tck-missing-vm-" + runId);
        assertNotFound(unknown.id(), () -> driver.environment(unknown).read());
    }

    /** Asserts that {@code operation} fails with {@link ObjectNotFoundException} whose message names {@code id}. */
    protected static void assertNotFound(String id, Executable operation) {
        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, operation);
        assertTrue(e.getMessage().contains(id), "the message names '" + id + "': " + e.getMessage());
        assertTrue(e.object().isPresent(), "the exception names its object");
    }

    // ---- a start that fails, a stop that waits

    @Test
    public void startOfAVmThatEndsAtOnceFailsNamingTheVm() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(START_STOP) && supports(START_REPORTS_EARLY_EXIT));
        ImageRef image = driver.registerImage(exitingImageSpec(uniqueName("image"), "1.0"));
        createdImages.add(image);
        VmRef vm = createVm(image, List.of());

        VmStartFailedException failed = assertThrows(VmStartFailedException.class, () -> driver.start(vm));

        assertTrue(failed.getMessage().contains(vm.name()), "names the VM: " + failed.getMessage());
        assertFalse(failed.getMessage().contains("\n"), "one line: " + failed.getMessage());
        assertEquals(Optional.of(ObjectId.of(vm)), failed.object(), "the object is the VM");
        assertFalse(failed.retryable(), "the same start fails the same way until its cause is fixed");
        assertTrue(failed.consoleTail().size() <= VmStartFailedException.CONSOLE_TAIL_LINES, failed.consoleTail().toString());
        assertNotEquals(VmState.RUNNING, driver.state(vm), "a VM reported as failed to start is not running");
        assertThrows(VmStartFailedException.class, () -> driver.start(vm), "a second start is tried, and fails the same way");
    }

    @Test
    public void stoppedVmIsGoneWhenStopReturnsAndStartsAgainAtOnce() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(START_STOP) && supports(STOP_WAITS_UNTIL_GONE));
        ImageRef image = registerImage("1.0");
        VmRef vm = createVm(image, List.of());
        for (StopMode mode : List.of(StopMode.FORCE, StopMode.GRACEFUL, StopMode.FORCE)) {
            driver.start(vm);
            awaitState(driver, vm, VmState.RUNNING);

            driver.stop(vm, mode);

            assertEquals(VmState.STOPPED, driver.state(vm), "STOPPED as soon as the " + mode + " stop returned");
            verifyGone(driver, vm);
        }
    }

    // ---- reconnecting

    @Test
    public void newConnectionFindsRunningVmAndStopsIt() {
        assumeTrue(supports(REGISTER_IMAGE) && supports(START_STOP));
        ImageRef image = registerImage("1.0");
        VmRef vm = createVm(image, List.of());
        driver.start(vm);
        awaitState(driver, vm, VmState.RUNNING);

        try (HypervisorDriver reconnected = connect()) {
            assertEquals(VmState.RUNNING, reconnected.state(vm));
            assertTrue(reconnected.listVms().stream().anyMatch(v -> v.vm().equals(vm) && v.state() == VmState.RUNNING),
                    "listed by the new connection: " + reconnected.listVms());
            assertTrue(reconnected.listImages().stream().anyMatch(i -> i.image().equals(image)), "image found again");
            reconnected.stop(vm, StopMode.GRACEFUL);
            assertEquals(VmState.STOPPED, reconnected.state(vm));
        }
        assertEquals(VmState.STOPPED, driver.state(vm), "the first connection sees the stop too");
    }

    // ---- environment store

    /** A stopped VM with an environment store, for the environment tests. */
    private EnvironmentStore newEnvironment() {
        assumeTrue(supports(ENVIRONMENT_STORE) && supports(REGISTER_IMAGE));
        return driver.environment(createVm(registerImage("1.0"), List.of()));
    }

    private String item(int index) {
        return environmentItemNames().get(index % environmentItemNames().size());
    }

    private static byte[] bytes(int length, int seed) {
        byte[] content = new byte[length];
        for (int i = 0; i < length; i++) {
            content[i] = (byte) (i * 31 + seed);
        }
        return content;
    }

    @Test
    public void emptyEnvironmentIsRevisionZero() {
        EnvironmentSnapshot empty = newEnvironment().read();
        assertEquals(0, empty.revision());
        assertEquals(List.of(), empty.items());
    }

    /** A store's own info, read back, is info its VM can use: {@code check} refuses only what a write would. */
    @Test
    public void environmentStoreAcceptsItsOwnInfo() {
        EnvironmentStore store = newEnvironment();
        store.check(store.read());
        List<ItemChange> written = new ArrayList<>();
        for (int i = 0; i < environmentItemNames().size(); i++) {
            written.add(new ItemChange.Replace(new EnvironmentItem(item(i), bytes(100 + i, i))));
        }
        store.write(new EnvironmentUpdate(0, 1, written));
        store.check(store.read());
    }

    @Test
    public void environmentWriteRoundTrips() {
        EnvironmentStore store = newEnvironment();
        List<ItemChange> first = new ArrayList<>();
        List<EnvironmentItem> items = new ArrayList<>();
        for (int i = 0; i < environmentItemNames().size(); i++) {
            EnvironmentItem item = new EnvironmentItem(item(i), bytes(100 + i, i));
            items.add(item);
            first.add(new ItemChange.Replace(item));
        }
        store.write(new EnvironmentUpdate(0, 1, first));
        EnvironmentSnapshot read = store.read();
        assertEquals(1, read.revision());
        for (EnvironmentItem item : items) {
            assertEquals(Optional.of(item), read.item(item.name()));
        }
        assertEquals(items.size(), read.items().size());

        EnvironmentItem replaced = new EnvironmentItem(item(0), bytes(7, 99));
        store.write(new EnvironmentUpdate(1, 5, List.of(new ItemChange.Replace(replaced))));
        EnvironmentSnapshot second = store.read();
        assertEquals(5, second.revision());
        assertEquals(Optional.of(replaced), second.item(item(0)));
        if (items.size() > 1) {
            assertEquals(Optional.of(items.get(1)), second.item(item(1)), "an unchanged item keeps its content");
            store.write(new EnvironmentUpdate(5, 6, List.of(new ItemChange.Remove(item(1)))));
            assertEquals(Optional.empty(), store.read().item(item(1)), "removed item");
        }
    }

    /**
     * What an upgrade does at S22/S27: the VM created from the new image takes the old VM's whole
     * environment (items and revision), whatever its fresh store held (a firmware template, say).
     */
    @Test
    public void aNewVmFromAnotherImageTakesAnotherVmsWholeEnvironmentAtItsRevision() {
        EnvironmentStore old = newEnvironment();
        List<ItemChange> items = new ArrayList<>();
        for (int i = 0; i < environmentItemNames().size(); i++) {
            items.add(new ItemChange.Replace(new EnvironmentItem(item(i), bytes(512 + i, 40 + i))));
        }
        old.write(new EnvironmentUpdate(0, 7, items));
        EnvironmentSnapshot kept = old.read();

        EnvironmentStore fresh = driver.environment(createVm(registerImage("2.0"), List.of()));
        EnvironmentSnapshot before = fresh.read();
        List<ItemChange> carry = new ArrayList<>();
        kept.items().forEach(item -> carry.add(new ItemChange.Replace(item)));
        before.items().stream().filter(item -> kept.item(item.name()).isEmpty()).forEach(item -> carry.add(new ItemChange.Remove(item.name())));
        fresh.write(new EnvironmentUpdate(before.revision(), kept.revision(), carry));

        EnvironmentSnapshot after = fresh.read();
        assertEquals(7, after.revision());
        assertEquals(kept.items().size(), after.items().size(), after.toString());
        for (EnvironmentItem item : kept.items()) {
            assertEquals(Optional.of(item), after.item(item.name()), item.name() + " carried byte for byte");
        }
    }

    @Test
    public void environmentPatchRoundTrips() {
        EnvironmentStore store = newEnvironment();
        byte[] original = bytes(64, 3);
        store.write(new EnvironmentUpdate(0, 1, List.of(new ItemChange.Replace(new EnvironmentItem(item(0), original)))));

        // Grow to 80 bytes with two patches, the second one in the zero-extended tail.
        store.write(new EnvironmentUpdate(1, 2, List.of(new ItemChange.Patch(item(0), 80,
                List.of(new BytePatch(2, new byte[] {9, 9}), new BytePatch(70, new byte[] {7}))))));
        byte[] grown = new byte[80];
        System.arraycopy(original, 0, grown, 0, 64);
        grown[2] = 9;
        grown[3] = 9;
        grown[70] = 7;
        EnvironmentSnapshot read = store.read();
        assertEquals(2, read.revision());
        assertArrayEquals(grown, read.item(item(0)).orElseThrow().content());

        // Shrink to 10 bytes with a patch at the very end.
        store.write(new EnvironmentUpdate(2, 3, List.of(new ItemChange.Patch(item(0), 10,
                List.of(new BytePatch(9, new byte[] {1}))))));
        byte[] shrunk = java.util.Arrays.copyOf(grown, 10);
        shrunk[9] = 1;
        assertArrayEquals(shrunk, store.read().item(item(0)).orElseThrow().content());
    }

    @Test
    public void environmentRevisionConflictIsRefusedAndChangesNothing() {
        EnvironmentStore store = newEnvironment();
        store.write(new EnvironmentUpdate(0, 1, List.of(new ItemChange.Replace(new EnvironmentItem(item(0), bytes(32, 1))))));
        EnvironmentSnapshot before = store.read();

        assertThrows(ConflictException.class, () -> store.write(new EnvironmentUpdate(0, 2,
                List.of(new ItemChange.Replace(new EnvironmentItem(item(0), bytes(32, 2)))))));
        assertThrows(ConflictException.class, () -> store.write(new EnvironmentUpdate(2, 3,
                List.of(new ItemChange.Replace(new EnvironmentItem(item(0), bytes(32, 3)))))));
        assertEquals(before, store.read());
    }

    @Test
    public void environmentChangeOfAbsentItemIsNotFoundAndChangesNothing() {
        EnvironmentStore store = newEnvironment();
        store.write(new EnvironmentUpdate(0, 1, List.of(new ItemChange.Replace(new EnvironmentItem(item(0), bytes(16, 1))))));
        EnvironmentSnapshot before = store.read();
        String absent = environmentItemNames().size() > 1 ? item(1) : item(0) + "-absent";

        // With a valid change beside it: the update is all or nothing.
        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> store.write(new EnvironmentUpdate(1, 2,
                List.of(new ItemChange.Replace(new EnvironmentItem(item(0), bytes(16, 2))),
                        new ItemChange.Patch(absent, 4, List.of(new BytePatch(0, new byte[] {1})))))));
        assertTrue(e.getMessage().contains(absent), e.getMessage());
        assertThrows(ObjectNotFoundException.class,
                () -> store.write(new EnvironmentUpdate(1, 2, List.of(new ItemChange.Remove(absent)))));
        assertEquals(before, store.read());
    }

    @Test
    public void environmentSurvivesReconnect() {
        assumeTrue(supports(ENVIRONMENT_STORE) && supports(REGISTER_IMAGE));
        VmRef vm = createVm(registerImage("1.0"), List.of());
        driver.environment(vm).write(new EnvironmentUpdate(0, 4,
                List.of(new ItemChange.Replace(new EnvironmentItem(item(0), bytes(48, 4))))));
        EnvironmentSnapshot written = driver.environment(vm).read();
        try (HypervisorDriver reconnected = connect()) {
            assertEquals(written, reconnected.environment(vm).read());
        }
    }

    // ---- unsupported optional operations

    /**
     * Asserts that {@code behavior} is not claimed and that {@code operation} fails with the
     * standard unsupported message for {@code operationName}.
     */
    protected final void assertUnsupported(DriverBehavior behavior, String operationName, Executable operation) {
        behavior.capability().ifPresent(c -> assertFalse(driver.capabilities().supports(c),
                "the driver claims " + c + " although the test declares " + behavior + " unsupported"));
        UnsupportedOperationDriverException e = assertThrows(UnsupportedOperationDriverException.class, operation);
        assertEquals(UnsupportedOperationDriverException.standardMessage(driver.kind(), operationName), e.getMessage());
    }

    @Test
    public void unsupportedMountAtBootFailsWithStandardMessage() {
        assumeFalse(supports(MOUNT_AT_BOOT));
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME));
        ImageRef image = registerImage("1.0");
        VolumeLink link = new VolumeLink(createVolume(), mountPath(0), VolumeLink.Mode.MOUNT_AT_BOOT);
        assertUnsupported(MOUNT_AT_BOOT, "mount at boot", () -> createdVms.add(driver.createVm(
                new VmSpec(uniqueName("vm"), image, List.of(link), vmProperties()))));
    }

    @Test
    public void unsupportedCopyAtBootFailsWithStandardMessage() {
        assumeFalse(supports(COPY_AT_BOOT));
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME));
        ImageRef image = registerImage("1.0");
        VolumeLink link = new VolumeLink(createVolume(), mountPath(0), VolumeLink.Mode.COPY_AT_BOOT);
        assertUnsupported(COPY_AT_BOOT, "copy at boot", () -> createdVms.add(driver.createVm(
                new VmSpec(uniqueName("vm"), image, List.of(link), vmProperties()))));
    }

    @Test
    public void unsupportedVolumeCopyFailsWithStandardMessage() {
        assumeFalse(supports(VOLUME_COPY));
        assumeTrue(supports(CREATE_VOLUME));
        VolumeRef source = createVolume();
        VolumeRef target = createVolume();
        assertUnsupported(VOLUME_COPY, "volume copy", () -> driver.copyVolume(source, target, (d, t) -> {}));
        assertUnsupported(VOLUME_COPY, "volume copy", () -> driver.cloneVolume(source,
                new VolumeSpec(uniqueName("clone"), volumeSizeBytes(), "database", volumeProperties()), CopyProgress.NONE));
    }

    @Test
    public void unsupportedHotAttachFailsWithStandardMessage() {
        assumeFalse(supports(HOT_ATTACH));
        assumeTrue(supports(REGISTER_IMAGE) && supports(CREATE_VOLUME));
        VolumeRef volume = createVolume();
        VmRef vm = createVm(registerImage("1.0"), List.of());
        assertUnsupported(HOT_ATTACH, "hot attach",
                () -> driver.attachVolume(vm, new VolumeLink(volume, mountPath(1), VolumeLink.Mode.MOUNT_AT_BOOT)));
        assertUnsupported(HOT_ATTACH, "hot detach", () -> driver.detachVolume(vm, volume));
    }

    @Test
    public void unsupportedEnvironmentStoreFailsWithStandardMessage() {
        assumeFalse(supports(ENVIRONMENT_STORE));
        assumeTrue(supports(REGISTER_IMAGE));
        VmRef vm = createVm(registerImage("1.0"), List.of());
        assertUnsupported(ENVIRONMENT_STORE, "environment store", () -> driver.environment(vm));
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
