package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the contract kit cannot see: processes, pids, grace periods and the files on disk. */
class LocalDriverTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path temp;

    /** Every driver opened, and every VM started, so a failing test leaves no process behind. */
    private final List<HypervisorDriver> drivers = new ArrayList<>();
    private final List<VmRef> vms = new ArrayList<>();
    private final List<Process> strangers = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        HypervisorDriver driver = driver(Map.of());
        for (VmRef vm : vms) {
            try {
                driver.stop(vm, StopMode.FORCE);
            } catch (RuntimeException e) {
                // Best effort: the test's own assertions said what went wrong.
            }
        }
        strangers.forEach(Process::destroyForcibly);
        drivers.forEach(HypervisorDriver::close);
    }

    private Path state() {
        return temp.resolve("state");
    }

    private HypervisorDriver driver(Map<String, String> properties) {
        HypervisorDriver driver = new LocalDriverProvider().connect(
                new DriverConfig("test", "local:", properties, Optional.empty(), state()));
        drivers.add(driver);
        return driver;
    }

    private ImageRef image(HypervisorDriver driver, String name, String command) {
        Path source = TestImages.write(temp.resolve("sources").resolve(name), "1.0", command);
        return driver.registerImage(new ImageSpec(name, "1.0", source.toString(), Map.of()));
    }

    private VmRef vm(HypervisorDriver driver, ImageRef image, List<VolumeLink> links, Map<String, String> properties) {
        VmRef vm = driver.createVm(new VmSpec("vm-" + vms.size(), image, links, properties));
        vms.add(vm);
        return vm;
    }

    private VmFolder folder(VmRef vm) {
        return new VmFolder(state().resolve("vms").resolve(vm.id()));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.exists(file) && Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void vmProcessOutlivesTheDriverInItsOwnProcessGroup() throws Exception {
        HypervisorDriver first = driver(Map.of());
        VmRef vm = vm(first, image(first, "forever", TestImages.RUN_FOREVER), List.of(), Map.of());
        first.start(vm);
        VmProcess process = folder(vm).process().orElseThrow();
        first.close();

        ProcessHandle handle = ProcessHandle.of(process.pid()).orElseThrow();
        assertTrue(handle.isAlive(), "closing the driver leaves the VM running");
        // The JVM is its parent, so the JDK reaps it the moment it dies; it is in a session of its own,
        // so it outlives the JVM (re-parented to init) and no terminal's signal reaches it.
        assertEquals(Optional.of(ProcessHandle.current().pid()), handle.parent().map(ProcessHandle::pid),
                "the VM is the JVM's child, reaped by it");
        assertEquals(process.pid(), ProcessStat.of(process.pid()).orElseThrow().processGroup(), "its own process group");
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        assertEquals(Long.toString(process.pid()), stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3],
                "its own session");

        HypervisorDriver second = driver(Map.of());
        assertEquals(VmState.RUNNING, second.state(vm));
        second.stop(vm, StopMode.GRACEFUL);
        assertEquals(VmState.STOPPED, second.state(vm));
        assertFalse(process.alive(), "the VM's process is gone when stop returns");
        assertFalse(process.groupAlive(), "and so is its sleep child");
    }

    @Test
    void vmIgnoringSigtermIsKilledAfterTheGracePeriod() throws Exception {
        HypervisorDriver driver = driver(Map.of("stop-grace-ms", "300"));
        VmRef vm = vm(driver, image(driver, "stubborn", "trap '' TERM; echo ready; " + TestImages.RUN_FOREVER),
                List.of(), Map.of());
        driver.start(vm);
        // Stop only once the trap is set, or SIGTERM would kill it before it could ignore it.
        await("the VM ignores SIGTERM", () -> contains(folder(vm).console(), "ready"));
        VmProcess process = folder(vm).process().orElseThrow();

        long started = System.nanoTime();
        driver.stop(vm, StopMode.GRACEFUL);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertTrue(took.toMillis() >= 300, "SIGKILL only after the grace period; stop took " + took);
        assertFalse(process.groupAlive(), "the whole group is gone");
        assertEquals(VmState.STOPPED, driver.state(vm));
    }

    @Test
    void forcedStopDoesNotWaitForTheGracePeriod() throws Exception {
        HypervisorDriver driver = driver(Map.of("stop-grace-ms", "5000"));
        VmRef vm = vm(driver, image(driver, "stubborn", "trap '' TERM; echo ready; " + TestImages.RUN_FOREVER),
                List.of(), Map.of());
        driver.start(vm);
        await("the VM ignores SIGTERM", () -> contains(folder(vm).console(), "ready"));

        long started = System.nanoTime();
        driver.stop(vm, StopMode.FORCE);
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 5000, "FORCE kills at once");
        assertEquals(VmState.STOPPED, driver.state(vm));
    }

    @Test
    void recycledPidIsNotMistakenForTheVm() throws Exception {
        HypervisorDriver driver = driver(Map.of());
        VmRef vm = vm(driver, image(driver, "forever", TestImages.RUN_FOREVER), List.of(), Map.of());
        driver.start(vm);
        driver.stop(vm, StopMode.FORCE);
        // A stranger now holds a pid the record could name, as after a reboot or pid wrap-around.
        Process stranger = new ProcessBuilder("sleep", "60").start();
        strangers.add(stranger);
        long startTime = ProcessStat.of(stranger.pid()).orElseThrow().startTime();
        VmFolder folder = folder(vm);
        Files.delete(folder.stopMarker());

        Files.writeString(folder.processRecord(), new VmProcess(stranger.pid(), startTime).recordLine());
        assertEquals(VmState.RUNNING, driver.state(vm), "control: pid and start time both match");

        Files.writeString(folder.processRecord(), new VmProcess(stranger.pid(), startTime + 1).recordLine());
        assertEquals(VmState.CRASHED, driver.state(vm), "same pid, other start time: not our VM, and ours is gone");
        driver.stop(vm, StopMode.FORCE);
        assertTrue(stranger.isAlive(), "stopping the VM must not signal the stranger");
        assertEquals(VmState.STOPPED, driver.state(vm), "a stop acknowledges the crash");
    }

    @Test
    void vmThatDiesUnaskedIsCrashed() throws Exception {
        HypervisorDriver driver = driver(Map.of());
        // It outlives the start's settle time, so the start succeeds; it dies later, unasked.
        VmRef vm = vm(driver, image(driver, "short-lived", "sleep 2; exit 3"), List.of(), Map.of());
        driver.start(vm);
        await("the VM is seen crashed", () -> driver.state(vm) == VmState.CRASHED);
        driver.stop(vm, StopMode.GRACEFUL);
        assertEquals(VmState.STOPPED, driver.state(vm));
        driver.start(vm); // a crashed VM can be started again
    }

    @Test
    void vmGetsItsEnvironmentVariablesAndRunsInItsRoot() throws Exception {
        HypervisorDriver driver = driver(Map.of());
        ImageRef image = image(driver, "env", "env > env.out; " + TestImages.RUN_FOREVER);
        VmRef vm = vm(driver, image, List.of(), Map.of("env.GREETING", "hello world"));
        driver.start(vm);
        Path out = folder(vm).root().resolve("env.out");
        await("the VM wrote its environment", () -> contains(out, "GREETING="));

        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.contains("GREETING=hello world"), lines.toString());
        assertTrue(lines.contains("DUPLEX_VM_NAME=" + vm.name()), lines.toString());
        assertTrue(lines.contains("DUPLEX_VM_ID=" + vm.id()), lines.toString());
        assertTrue(lines.contains("DUPLEX_VM_ROOT=" + folder(vm).root().toAbsolutePath()), lines.toString());
        assertTrue(lines.contains("DUPLEX_IMAGE_VERSION=1.0"), lines.toString());
        assertTrue(Files.exists(folder(vm).root().resolve("README")), "the image's files are in the root");
    }

    @Test
    void deletingVmWithMountedVolumeKeepsTheVolumesFiles() throws Exception {
        HypervisorDriver driver = driver(Map.of());
        VolumeRef volume = driver.createVolume(new VolumeSpec("db", 1 << 20, "database", Map.of()));
        Path data = state().resolve("volumes").resolve(volume.id()).resolve("data");
        Files.createDirectories(data.resolve("tables"));
        Files.writeString(data.resolve("tables").resolve("users"), "alice,bob");
        ImageRef image = image(driver, "writer", "echo written > db/from-vm; " + TestImages.RUN_FOREVER);
        VmRef vm = vm(driver, image, List.of(new VolumeLink(volume, "db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of());
        driver.start(vm);
        await("the VM wrote through its link", () -> contains(data.resolve("from-vm"), "written"));
        Path link = folder(vm).root().resolve("db");
        assertTrue(Files.isSymbolicLink(link), "a mounted volume is a symbolic link");
        assertEquals(data.toAbsolutePath(), Files.readSymbolicLink(link));

        driver.stop(vm, StopMode.GRACEFUL);
        driver.deleteVm(vm);

        assertFalse(Files.exists(folder(vm).folder()), "the VM's folder is gone");
        assertEquals("alice,bob", Files.readString(data.resolve("tables").resolve("users")));
        assertEquals("written\n", Files.readString(data.resolve("from-vm")));
        driver.deleteVolume(volume); // nothing links to it any more
    }

    @Test
    void imageWithoutManifestOrCommandIsRefusedSayingWhere() throws Exception {
        HypervisorDriver driver = driver(Map.of());
        Path empty = Files.createDirectories(temp.resolve("empty"));
        InvalidSpecException noManifest = assertThrows(InvalidSpecException.class,
                () -> driver.registerImage(new ImageSpec("a", "1.0", empty.toString(), Map.of())));
        assertTrue(noManifest.getMessage().contains(empty.resolve(ImageFolder.MANIFEST).toString()), noManifest.getMessage());

        Files.writeString(empty.resolve(ImageFolder.MANIFEST), "version=1.0\n");
        InvalidSpecException noCommand = assertThrows(InvalidSpecException.class,
                () -> driver.registerImage(new ImageSpec("a", "1.0", empty.toString(), Map.of())));
        assertTrue(noCommand.getMessage().contains("command="), noCommand.getMessage());
        assertEquals(List.of(), driver.listImages());
    }

    @Test
    void unknownSettingsAreRefusedNamingTheKey() {
        InvalidSpecException config = assertThrows(InvalidSpecException.class, () -> driver(Map.of("grace", "1")));
        assertTrue(config.getMessage().contains("'grace'"), config.getMessage());
        HypervisorDriver driver = driver(Map.of());
        ImageRef image = image(driver, "forever", TestImages.RUN_FOREVER);
        InvalidSpecException vm = assertThrows(InvalidSpecException.class,
                () -> driver.createVm(new VmSpec("x", image, List.of(), Map.of("memory", "1G"))));
        assertTrue(vm.getMessage().contains("'memory'"), vm.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new VolumeLink(new VolumeRef("v", "v"), "../outside", VolumeLink.Mode.MOUNT_AT_BOOT));
    }

    @Test
    void uriNamesTheStateFolder() {
        Path elsewhere = temp.resolve("elsewhere");
        HypervisorDriver driver = new LocalDriverProvider().connect(
                new DriverConfig("test", "local:" + elsewhere, Map.of(), Optional.empty(), state()));
        drivers.add(driver);
        driver.createVolume(new VolumeSpec("v", 1, "scratch", Map.of()));
        assertTrue(Files.isDirectory(elsewhere.resolve("volumes")));
        assertFalse(Files.exists(state().resolve("volumes")));
        assertThrows(InvalidSpecException.class, () -> new LocalDriverProvider().connect(
                new DriverConfig("test", "qemu:///system", Map.of(), Optional.empty(), state())));
    }
}
