package dev.duplex.engine.upgrade;

import dev.duplex.engine.testing.FakeInventory;
import dev.duplex.engine.testing.FakeJobQueue;
import dev.duplex.engine.testing.FakeAuditLog;
import dev.duplex.engine.testing.SimulatedCrash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.job.JobState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pair upgrade on the real local driver: VMs are processes, volumes folders, a
 * {@code MOUNT_AT_BOOT} link a symbolic link. Each boot appends the image's version to
 * {@code data/boots.log} on the VM's database volume, so the test sees which volume each VM used.
 */
class LocalDriverUpgradeTest {
    @TempDir
    Path dir;

    private HypervisorDriver driver;
    private final FakeInventory inventory = new FakeInventory();
    private final FakeJobQueue jobs = new FakeJobQueue();
    private FakeRoleController app;
    private VolumeRef db0;
    private VolumeRef db1;

    @AfterEach
    void stopEverything() {
        if (driver != null) {
            for (VmInfo vm : driver.listVms()) {
                driver.stop(vm.vm(), StopMode.FORCE);
            }
            driver.close();
        }
    }

    private void setUp() throws IOException {
        DriverProvider provider = ServiceLoader.load(DriverProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.kind().equals("local")).findFirst().orElseThrow();
        Path state = Files.createDirectories(dir.resolve("state"));
        driver = provider.connect(new DriverConfig("lab", "local:" + state, Map.of("stop-grace-ms", "500"), Optional.empty(),
                Files.createDirectories(dir.resolve("work"))));
        ImageRef v1 = driver.registerImage(new ImageSpec("v1", "1.0", image("v1", "1.0").toString(), Map.of()));
        ImageRef v2 = driver.registerImage(new ImageSpec("v2", "2.0", image("v2", "2.0").toString(), Map.of()));
        inventory.addEndpoint(new Endpoint("lab", "local", "local:" + state, Optional.empty(), Map.of()));
        inventory.addImage(new ImageRecord("v1", "lab", "1.0", v1.id()));
        inventory.addImage(new ImageRecord("v2", "lab", "2.0", v2.id()));
        db0 = driver.createVolume(new VolumeSpec("db-0", 1 << 20, "database", Map.of()));
        db1 = driver.createVolume(new VolumeSpec("db-1", 1 << 20, "database", Map.of()));
        inventory.addVolume(new VolumeRecord("db-0", "lab", db0.id(), 1 << 20, "database"));
        inventory.addVolume(new VolumeRecord("db-1", "lab", db1.id(), 1 << 20, "database"));
        for (int system = 0; system < 2; system++) {
            VolumeRef volume = system == 0 ? db0 : db1;
            String name = "kv-" + system;
            Map<String, String> properties = Map.of("env.MEMBER", name);
            VmRef vm = driver.createVm(new VmSpec(name, v1, List.of(new VolumeLink(volume, "data", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));
            driver.start(vm);
            inventory.addVm(new VmRecord(name, "lab", vm.id(), "v1", List.of(new LinkRecord("db-" + system, "data", VolumeLink.Mode.MOUNT_AT_BOOT)),
                    properties));
        }
        inventory.addPair(new PairRecord("kv", "kv-0", "kv-1", 0, StandbyKind.HOT, Map.of("type", "test"),
                Map.of("timeout-ms", "5000", "poll-ms", "20", "health-timeout-ms", "5000")));
        app = new FakeRoleController(driver, "kv-0", "kv-1");
        boots(db0, 1);
        boots(db1, 1);
    }

    private Path image(String name, String version) throws IOException {
        Path source = Files.createDirectories(dir.resolve("images").resolve(name));
        Files.writeString(source.resolve("duplex-image.properties"),
                "command=echo booting " + version + " as $MEMBER; echo " + version + " $MEMBER >> data/boots.log; exec sleep 600\nversion="
                        + version + "\n");
        return source;
    }

    private RollingUpgrade engine() {
        return new RollingUpgrade(inventory, jobs, new FakeAuditLog(), endpoint -> driver, pair -> app,
                UpgradeSettings.defaults().withStaleAfter(Duration.ZERO));
    }

    /** The boot lines on a volume, once they are {@code expected} lines long (a VM writes its line just after it started). */
    private List<String> boots(VolumeRef volume, int expected) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> lines = readBoots(volume);
        while (lines.size() < expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            lines = readBoots(volume);
        }
        return lines;
    }

    private List<String> readBoots(VolumeRef volume) throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("state").resolve("volumes"))) {
            Path log = files.filter(p -> p.getFileName().toString().equals("boots.log") && p.toString().contains(volume.id()))
                    .findFirst().orElse(null);
            return log == null ? List.of() : Files.readAllLines(log);
        }
    }

    private VmInfo vmOf(String member) {
        return driver.describeVm(new VmRef(inventory.vm(member).orElseThrow().driverRef(), member));
    }

    @ParameterizedTest
    @EnumSource(UpgradeStrategy.class)
    void aPairIsUpgradedOnTheLocalDriver(UpgradeStrategy strategy) throws IOException {
        setUp();
        UpgradeReport report = engine().run(UpgradeRequest.of("kv", "v2", strategy, "tester@host"), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        for (String member : List.of("kv-0", "kv-1")) {
            assertEquals(VmState.RUNNING, vmOf(member).state());
            assertEquals("v2", inventory.vm(member).orElseThrow().image());
        }
        assertEquals(2, driver.listVms().size());
        assertEquals(List.of("1.0 kv-0"), boots(db0, 1).subList(0, 1));
        if (strategy == UpgradeStrategy.LINK) {
            assertEquals(db0, vmOf("kv-0").links().get(0).volume());
            assertEquals(List.of("1.0 kv-0", "2.0 kv-0"), boots(db0, 2), "the new VM booted on the same volume");
            assertEquals(List.of("1.0 kv-1", "2.0 kv-1"), boots(db1, 2));
            assertEquals(0, report.bytesCopied());
        } else if (strategy == UpgradeStrategy.SNAPSHOT_COPY) {
            VolumeRef copy = vmOf("kv-0").links().get(0).volume();
            assertEquals("db-0-j1", copy.name());
            assertEquals(List.of("1.0 kv-0", "2.0 kv-0"), boots(copy, 2));
            assertTrue(report.bytesCopied() > 0);
            assertEquals(4, driver.listVolumes().size(), "originals kept");
        } else {
            assertTrue(report.bytesCopied() > 0);
        }
        assertTrue(report.switchoverGap().isPresent());
        assertEquals(2, report.singleSideWindows().size());
    }

    @Test
    void anUpgradeKeepsEachMembersEnvironmentItemsAndRevision() throws IOException {
        setUp();
        Map<String, dev.duplex.api.EnvironmentSnapshot> before = new java.util.HashMap<>();
        for (String member : List.of("kv-0", "kv-1")) {
            byte[] settings = new byte[8192];
            new java.util.Random(member.hashCode()).nextBytes(settings);
            var store = driver.environment(vmOf(member).vm());
            store.write(new dev.duplex.api.EnvironmentUpdate(store.read().revision(), 7, List.of(
                    new dev.duplex.api.ItemChange.Replace(new dev.duplex.api.EnvironmentItem("settings", settings)),
                    new dev.duplex.api.ItemChange.Replace(new dev.duplex.api.EnvironmentItem("configuration", ("member=" + member).getBytes())))));
            before.put(member, store.read());
        }

        UpgradeReport report = engine().run(UpgradeRequest.of("kv", "v2", UpgradeStrategy.LINK, "t"), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        for (String member : List.of("kv-0", "kv-1")) {
            var after = driver.environment(vmOf(member).vm()).read();
            assertEquals(7, after.revision(), member + "'s new VM keeps the revision");
            assertEquals(before.get(member).items(), after.items(), member + "'s new VM keeps the items, byte for byte");
        }
    }

    @Test
    void theEnvironmentSurvivesACrashBetweenDeletingTheOldVmAndCreatingTheNewOne() throws IOException {
        setUp();
        byte[] settings = new byte[8192];
        new java.util.Random(42).nextBytes(settings);
        var store = driver.environment(vmOf("kv-1").vm());
        store.write(new dev.duplex.api.EnvironmentUpdate(store.read().revision(), 9, List.of(
                new dev.duplex.api.ItemChange.Replace(new dev.duplex.api.EnvironmentItem("settings", settings)))));
        var before = store.read();
        // The orchestrator dies inside S22's createVm: the old VM of kv-1 is gone, the new one not made yet.
        HypervisorDriver dying = driverDoingFirst("createVm", args -> {
            throw new SimulatedCrash("createVm");
        });
        RollingUpgrade crashing = new RollingUpgrade(inventory, jobs, new FakeAuditLog(), endpoint -> dying, pair -> app,
                UpgradeSettings.defaults().withStaleAfter(Duration.ZERO));
        assertThrows(SimulatedCrash.class,
                () -> crashing.run(UpgradeRequest.of("kv", "v2", UpgradeStrategy.LINK, "t"), UpgradeListener.NONE));
        assertTrue(driver.listVms().stream().noneMatch(vm -> vm.vm().name().equals("kv-1")), "the old VM of kv-1 was deleted");

        long jobId = jobs.jobs("kv").get(0).id();
        UpgradeReport report = engine().resume(jobId, UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        var after = driver.environment(vmOf("kv-1").vm()).read();
        assertEquals(9, after.revision(), "the resumed step writes the revision it journaled");
        assertEquals(before.items(), after.items(), "and the items, byte for byte");
        assertTrue(report.steps().stream().noneMatch(step -> step.id().contains("/")), "the kept info is not a step of the report");
    }

    @Test
    void eachMembersEnvironmentIsKeptInOneDurableJournalWriteBeforeItsOldVmIsDeleted() throws IOException {
        setUp();
        RecordedJournalWrites recorded = new RecordedJournalWrites(jobs);
        List<String> events = recorded.writes();
        HypervisorDriver watched = driverDoingFirst("deleteVm", args -> events.add("deleteVm " + ((VmRef) args[0]).name()));
        UpgradeReport report = new RollingUpgrade(inventory, recorded, new FakeAuditLog(), endpoint -> watched, pair -> app,
                UpgradeSettings.defaults().withStaleAfter(Duration.ZERO)).run(UpgradeRequest.of("kv", "v2", UpgradeStrategy.LINK, "t"),
                UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        List<String> kept = events.stream().filter(e -> e.contains("/") || e.startsWith("deleteVm ")).toList();
        assertEquals(List.of("kept S22.kv-1/environment", "deleteVm kv-1", "kept S27.kv-0/environment", "deleteVm kv-0"), kept,
                "each kept line is one write (the store puts it on disk before it returns), before the VM it was read from goes");
    }

    /** The local driver, with {@code first} run on the arguments of each call of {@code method} before the driver's own. */
    private HypervisorDriver driverDoingFirst(String method, java.util.function.Consumer<Object[]> first) {
        HypervisorDriver real = driver;
        return (HypervisorDriver) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HypervisorDriver.class},
                (proxy, called, args) -> {
                    if (called.getName().equals(method)) {
                        first.accept(args);
                    }
                    try {
                        return called.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void thePlanSaysWhatHappensToTheEnvironmentAndToCopyAtBootWrites() throws IOException {
        setUp();
        UpgradePlan link = engine().plan(UpgradeRequest.of("kv", "v2", UpgradeStrategy.LINK, "t"));
        UpgradePlan copyAtBoot = engine().plan(UpgradeRequest.of("kv", "v2", UpgradeStrategy.COPY_AT_BOOT, "t"));

        assertEquals(List.of("kv-0: its operating-environment info (items and revision) moves to its new VM.",
                "kv-1: its operating-environment info (items and revision) moves to its new VM."), link.notes().subList(0, 2));
        // Then per member its safety snapshot, or (a state folder without reflinks) that there is none.
        for (String member : List.of("kv-0", "kv-1")) {
            assertTrue(link.notes().stream().anyMatch(note -> note.startsWith(member + ": a snapshot (")
                    || note.startsWith(member + ": no snapshot: endpoint lab (driver local) cannot snapshot volumes, so rollback will not"
                            + " undo data changes")), link.notes()::toString);
        }
        assertTrue(copyAtBoot.notes().stream().anyMatch(note -> note.startsWith("copy-at-boot:") && note.contains("saved back")),
                copyAtBoot.notes()::toString);
    }

    @Test
    void aBrokenNewImageIsReplacedByTheOldOneOnTheLocalDriver() throws IOException {
        setUp();
        app.breakImage("v2");
        UpgradeReport report = engine().run(UpgradeRequest.of("kv", "v2", UpgradeStrategy.LINK, "t"), UpgradeListener.NONE);

        assertEquals(JobState.FAILED, report.state());
        assertEquals(VmState.RUNNING, vmOf("kv-1").state());
        assertEquals("v1", inventory.vm("kv-1").orElseThrow().image());
        assertEquals(db1, vmOf("kv-1").links().get(0).volume());
        assertEquals(List.of("1.0 kv-1", "2.0 kv-1", "1.0 kv-1"), boots(db1, 3));
        assertEquals(List.of("1.0 kv-0"), boots(db0, 1), "the active was never restarted");
        String console = report.steps().stream().map(s -> s.outputs().get(UpgradeReport.FAILED_VM_CONSOLE))
                .filter(java.util.Objects::nonNull).findFirst().orElse("");
        assertTrue(console.contains("booting 2.0 as kv-1"), "the failed VM's console is kept with the job: " + report.steps());
    }

    @Test
    void aKilledOrchestratorIsResumedOnTheLocalDriver() throws IOException {
        setUp();
        jobs.crashInStepDone("S27");
        assertThrows(SimulatedCrash.class,
                () -> engine().run(UpgradeRequest.of("kv", "v2", UpgradeStrategy.LINK, "t"), UpgradeListener.NONE));
        // a new connection, as a new orchestrator process would open
        HypervisorDriver old = driver;
        driver = ServiceLoader.load(DriverProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.kind().equals("local")).findFirst().orElseThrow()
                .connect(new DriverConfig("lab", "local:" + dir.resolve("state"), Map.of("stop-grace-ms", "500"), Optional.empty(),
                        dir.resolve("work")));
        old.close();
        app = new FakeRoleController(driver, "kv-1", "kv-0"); // the application kept its roles: kv-1 took over at S25

        UpgradeReport report = engine().resume(jobs.jobs("kv").get(0).id(), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(2, driver.listVms().size(), driver.listVms().toString());
        assertEquals(List.of("1.0 kv-0", "2.0 kv-0"), boots(db0, 2));
        assertFalse(report.singleSideWindows().isEmpty());
    }
}
