package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.StopMode;
import dev.duplex.api.VolumeLink;
import dev.duplex.engine.EngineModule;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobLocks;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import dev.duplex.engine.service.AddEndpoint;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.service.CreateVm;
import dev.duplex.engine.service.CreateVolume;
import dev.duplex.engine.service.EndpointService;
import dev.duplex.engine.service.ImageService;
import dev.duplex.engine.service.JobDetail;
import dev.duplex.engine.service.JobNotFoundException;
import dev.duplex.engine.service.JobService;
import dev.duplex.engine.service.PairService;
import dev.duplex.engine.service.RegisterImage;
import dev.duplex.engine.service.EngineVmService;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.VolumeService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The engine's inventory and job services, wired by Guice from the engine and persistence modules
 * as the CLI and server wire them, on real PostgreSQL and the real local driver.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InventoryServicesTest {
    private static final Actor ALICE = new Actor("alice@mgmt");

    private Database database;
    private Path dir;
    private Injector injector;

    @BeforeAll
    void start(TestServer server) throws IOException {
        database = server.startFresh("inventory_services_test");
        dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "duplex-services");
        Path config = dir.resolve("duplex.properties");
        Files.writeString(config, "duplex.home=" + dir.resolve("home") + "\n");
        for (String version : List.of("1.0", "2.0")) {
            Path image = dir.resolve("image-" + version);
            Files.createDirectories(image);
            Files.writeString(image.resolve("duplex-image.properties"), "version=" + version + "\ncommand=while true; do sleep 1; done\n");
        }
        DuplexConfig duplexConfig = DuplexConfig.resolve(List.of(config), List.of(config), Map.of(), new Properties());
        injector = Guice.createInjector(Stage.PRODUCTION,
                new EngineModule(duplexConfig, DriverRegistry.discover(getClass().getClassLoader(), Optional.empty())),
                new PersistenceModule(database));
    }

    @BeforeEach
    void empty() {
        database.jdbi().useHandle(h -> h.execute(
                "TRUNCATE endpoints, images, volumes, vms, vm_links, pairs, pair_members, jobs, job_steps, job_vm_locks CASCADE"));
    }

    @AfterEach
    void stopEverything() {
        Inventory inventory = injector.getInstance(Inventory.class);
        EndpointConnections connections = injector.getInstance(EndpointConnections.class);
        for (VmRecord vm : inventory.vms()) {
            connections.driver(vm.endpoint()).stop(new dev.duplex.api.VmRef(vm.driverRef(), vm.name()), StopMode.FORCE);
        }
        // Each test starts from an empty platform as well as an empty inventory.
        connections.close();
        try (var tree = Files.walk(dir.resolve("home").resolve("drivers"))) {
            tree.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    void stop() {
        injector.getInstance(EndpointConnections.class).close();
        database.close();
    }

    private <T> T service(Class<T> type) {
        return injector.getInstance(type);
    }

    /** Endpoint lab, image img-1, volumes db-0 and db-1, VMs vm-0 and vm-1 each linking its volume. */
    private void buildTwoVms() {
        service(EndpointService.class).add(new AddEndpoint("lab", "local", Optional.empty(), Optional.empty(), Map.of()), ALICE);
        service(ImageService.class).register(new RegisterImage("img-1", "lab", "1.0", dir.resolve("image-1.0").toString(), Map.of()), ALICE);
        for (int i = 0; i < 2; i++) {
            service(VolumeService.class).create(new CreateVolume("db-" + i, "lab", 1 << 20, "database", Map.of()), ALICE);
            service(VmService.class).create(new CreateVm("vm-" + i, "lab", "img-1",
                    List.of(new LinkRecord("db-" + i, "db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()), ALICE);
        }
    }

    private List<AuditEntry> audit() {
        return service(AuditLog.class).recent(100);
    }

    private Optional<AuditEntry> audited(String action, String object) {
        return audit().stream().filter(e -> e.action().equals(action) && e.object().equals(object)).findFirst();
    }

    @Test
    void buildsAndTearsDownAPairWithEveryDeleteRefusedWhileItsObjectIsUsed() {
        buildTwoVms();
        service(PairService.class).create(new CreatePair("kv", "vm-0", "vm-1", 0, StandbyKind.HOT, Map.of("type", "exec",
                "token", "s3cret"), Map.of()), ALICE);

        assertEquals("Endpoint 'lab' is still used by images 'img-1', volumes 'db-0', 'db-1', VMs 'vm-0', 'vm-1'; delete those first",
                assertThrows(InventoryConflictException.class, () -> service(EndpointService.class).remove("lab", ALICE)).getMessage());
        assertEquals("Image 'img-1' is used by VM 'vm-0', 'vm-1'; delete or upgrade those VMs first",
                assertThrows(InventoryConflictException.class, () -> service(ImageService.class).delete("img-1", ALICE)).getMessage());
        assertEquals("Volume 'db-0' is linked by VM 'vm-0'; delete that VM first (its volumes stay)",
                assertThrows(InventoryConflictException.class, () -> service(VolumeService.class).delete("db-0", true, ALICE)).getMessage());
        assertTrue(assertThrows(InventoryConflictException.class, () -> service(VmService.class).delete("vm-0", ALICE)).getMessage()
                .startsWith("VM 'vm-0' is a member of pair 'kv'; delete the pair first"));

        service(PairService.class).delete("kv", ALICE);
        assertEquals(List.of(), service(PairService.class).list());
        JsonNode pairBefore = audited("pair.delete", "pair/kv").orElseThrow().before().orElseThrow();
        assertEquals("vm-0", pairBefore.get("system0").asText());
        assertFalse(pairBefore.toString().contains("s3cret"), "role-controller secrets are redacted in the audit log: " + pairBefore);

        service(VmService.class).start("vm-0", false, ALICE);
        assertEquals("RUNNING", service(VmService.class).show("vm-0").state());
        assertEquals("VM 'vm-0' is RUNNING; stop it first (duplex vm stop vm-0)",
                assertThrows(InventoryConflictException.class, () -> service(VmService.class).delete("vm-0", ALICE)).getMessage());
        service(VmService.class).stop("vm-0", false, ALICE);
        String vmRef = service(VmService.class).show("vm-0").vm().driverRef();
        service(VmService.class).delete("vm-0", ALICE);
        HypervisorDriver driver = service(EndpointConnections.class).driver("lab");
        assertTrue(driver.listVms().stream().noneMatch(vm -> vm.vm().id().equals(vmRef)), "gone from the platform too");
        assertThrows(NotInInventoryException.class, () -> service(VmService.class).show("vm-0"));

        assertTrue(service(VolumeService.class).show("db-0").mayHoldData(), "a VM linked it");
        var refused = assertThrows(InventoryConflictException.class, () -> service(VolumeService.class).delete("db-0", false, ALICE));
        assertTrue(refused.getMessage().startsWith("Volume 'db-0' may hold data (a VM linked it on "), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("add --force to delete it anyway (audited)"), refused.getMessage());
        service(VolumeService.class).delete("db-0", true, ALICE);
        JsonNode deleted = audited("volume.delete.forced", "volume/db-0").orElseThrow().before().orElseThrow();
        assertTrue(deleted.get("may_hold_data").asBoolean() && deleted.get("forced").asBoolean(), deleted.toString());
        assertEquals("alice@mgmt", audited("volume.delete.forced", "volume/db-0").orElseThrow().actor().name());
        assertEquals(List.of("db-1"), service(VolumeService.class).list().stream().map(v -> v.name()).toList());
    }

    @Test
    void aVolumeNoVmEverLinkedIsDeletedWithoutForce() {
        buildTwoVms();
        service(VolumeService.class).create(new CreateVolume("spare", "lab", 1 << 20, "database", Map.of()), ALICE);
        assertFalse(service(VolumeService.class).show("spare").mayHoldData());

        service(VolumeService.class).delete("spare", false, ALICE);

        assertTrue(audited("volume.delete", "volume/spare").isPresent());
        assertTrue(service(EndpointConnections.class).driver("lab").listVolumes().stream().noneMatch(v -> v.volume().name().equals("spare")));
    }

    @Test
    void auditEntriesAreStructuredValues() {
        buildTwoVms();

        JsonNode vm = audited("vm.create", "vm/vm-1").orElseThrow().after().orElseThrow();
        assertEquals("img-1", vm.get("image").asText());
        assertEquals("db-1", vm.get("links").get(0).get("volume").asText());
        assertEquals("db", vm.get("links").get(0).get("mount_path").asText());
        assertEquals("MOUNT_AT_BOOT", vm.get("links").get(0).get("mode").asText());
        JsonNode volume = audited("volume.create", "volume/db-1").orElseThrow().after().orElseThrow();
        assertEquals(1 << 20, volume.get("size").asLong());
        assertEquals("local:", audited("endpoint.add", "endpoint/lab").orElseThrow().after().orElseThrow().get("uri").asText());
    }

    @Test
    void aVmWhoseRecordCannotBeWrittenIsDeletedFromItsPlatformAgain() {
        buildTwoVms();
        service(VolumeService.class).create(new CreateVolume("db-2", "lab", 1 << 20, "database", Map.of()), ALICE);
        Inventory refusingVms = new RefusingVms(service(Inventory.class));
        EndpointConnections connections = service(EndpointConnections.class);
        VmService vms = new EngineVmService(refusingVms, connections, new JobLocks(service(JobQueue.class)), service(AuditTrail.class));
        int before = connections.driver("lab").listVms().size();

        var e = assertThrows(IllegalStateException.class, () -> vms.create(new CreateVm("vm-2", "lab", "img-1",
                List.of(new LinkRecord("db-2", "db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()), ALICE));

        assertEquals("the database went away", e.getMessage());
        assertEquals(before, connections.driver("lab").listVms().size(), "the VM created on the platform was deleted again");
        assertTrue(audited("vm.create", "vm/vm-2").isEmpty());
    }

    @Test
    void refusesBadRequestsBeforeThePlatformIsTouched() {
        buildTwoVms();
        VmService vms = service(VmService.class);
        int before = service(EndpointConnections.class).driver("lab").listVms().size();
        assertEquals("Volume db-0 is already linked to VM vm-0", assertThrows(InventoryConflictException.class, () -> vms.create(
                new CreateVm("vm-x", "lab", "img-1", List.of(new LinkRecord("db-0", "db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()),
                ALICE)).getMessage());
        assertThrows(NotInInventoryException.class, () -> vms.create(new CreateVm("vm-x", "lab", "img-9", List.of(), Map.of()), ALICE));
        assertThrows(IllegalArgumentException.class, () -> vms.create(new CreateVm("vm-x", "lab", "img-1",
                List.of(new LinkRecord("db-1", "../escape", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()), ALICE));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> service(EndpointService.class).add(
                new AddEndpoint("kvm1", "kvm", Optional.empty(), Optional.empty(), Map.of()), ALICE)).getMessage().contains("URI is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> service(EndpointService.class).add(
                new AddEndpoint("l2", "local", Optional.empty(), Optional.of("relative.key"), Map.of()), ALICE)).getMessage()
                .contains("absolute path"));
        assertThrows(IllegalArgumentException.class, () -> service(VolumeService.class).create(
                new CreateVolume("db-9", "lab", 0, "database", Map.of()), ALICE));
        assertThrows(IllegalArgumentException.class, () -> service(PairService.class).create(
                new CreatePair("p", "vm-0", "vm-0", 0, StandbyKind.HOT, Map.of(), Map.of()), ALICE));
        service(PairService.class).create(new CreatePair("p", "vm-0", "vm-1", 0, StandbyKind.HOT, Map.of(), Map.of()), ALICE);
        assertEquals("VM 'vm-0' is already a member of pair 'p'; a VM belongs to at most one pair", assertThrows(
                InventoryConflictException.class, () -> service(PairService.class).create(
                        new CreatePair("q", "vm-0", "vm-1", 1, StandbyKind.HOT, Map.of(), Map.of()), ALICE)).getMessage());
        assertEquals(before, service(EndpointConnections.class).driver("lab").listVms().size());
    }

    @Test
    void jobHistoryListsUpgradesAndFailoversWithTheirTimes() {
        buildTwoVms();
        service(PairService.class).create(new CreatePair("kv", "vm-0", "vm-1", 0, StandbyKind.COLD, Map.of(), Map.of()), ALICE);
        JobQueue queue = service(JobQueue.class);
        Job upgrade = queue.create("upgrade", "kv", "alice", Map.of("image0", "img-2"));
        queue.claim(upgrade.id(), "node-a", Duration.ofSeconds(30)).orElseThrow();
        queue.stepStarted(upgrade.id(), "S21");
        queue.stepDone(upgrade.id(), "S21", Map.of("stopped", "vm-1"));
        queue.finish(upgrade.id(), JobState.SUCCEEDED, Optional.empty());
        Job failover = queue.create("failover", "kv", "bob", Map.of());

        var entries = service(JobService.class).list(10);
        assertEquals(List.of(failover.id(), upgrade.id()), entries.stream().map(e -> e.job().id()).toList());
        assertEquals("failover", entries.get(0).job().kind());
        assertTrue(entries.get(0).startedAt().isEmpty() && entries.get(0).finishedAt().isEmpty());
        assertTrue(entries.get(1).startedAt().isPresent() && entries.get(1).finishedAt().isPresent());
        assertFalse(entries.get(1).finishedAt().get().isBefore(entries.get(1).createdAt()));

        JobDetail detail = service(JobService.class).show(upgrade.id());
        assertEquals(JobState.SUCCEEDED, detail.entry().job().state());
        assertEquals(List.of("S21"), detail.journal().stream().map(s -> s.stepId()).toList());
        assertEquals("No job #999999; `duplex jobs list` shows the jobs there are",
                assertThrows(JobNotFoundException.class, () -> service(JobService.class).show(999_999)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> service(JobService.class).list(0));

        // A live job keeps its pair; once it ended, the pair goes and its jobs stay in the history.
        var live = assertThrows(LiveJobExistsException.class, () -> service(PairService.class).delete("kv", ALICE));
        assertTrue(live.getMessage().contains("job #" + failover.id()), live.getMessage());
        queue.finish(failover.id(), JobState.FAILED, Optional.of("fence refused"));
        service(PairService.class).delete("kv", ALICE);
        assertEquals(2, service(JobService.class).list(10).size());
        assertEquals("kv", service(JobService.class).show(failover.id()).entry().job().pair());
    }

    /** The inventory with a database that goes away when a VM is recorded. */
    private static final class RefusingVms implements Inventory {
        private final Inventory real;

        RefusingVms(Inventory real) {
            this.real = real;
        }

        @Override
        public void addVm(VmRecord vm) {
            throw new IllegalStateException("the database went away");
        }

        // Everything else goes to the real inventory.
        @Override public void addEndpoint(dev.duplex.engine.inventory.Endpoint e) { real.addEndpoint(e); }
        @Override public Optional<dev.duplex.engine.inventory.Endpoint> endpoint(String n) { return real.endpoint(n); }
        @Override public List<dev.duplex.engine.inventory.Endpoint> endpoints() { return real.endpoints(); }
        @Override public void removeEndpoint(String n) { real.removeEndpoint(n); }
        @Override public void addImage(dev.duplex.engine.inventory.ImageRecord i) { real.addImage(i); }
        @Override public Optional<dev.duplex.engine.inventory.ImageRecord> image(String n) { return real.image(n); }
        @Override public List<dev.duplex.engine.inventory.ImageRecord> images() { return real.images(); }
        @Override public void removeImage(String n) { real.removeImage(n); }
        @Override public void addVolume(dev.duplex.engine.inventory.VolumeRecord v) { real.addVolume(v); }
        @Override public Optional<dev.duplex.engine.inventory.VolumeRecord> volume(String n) { return real.volume(n); }
        @Override public List<dev.duplex.engine.inventory.VolumeRecord> volumes() { return real.volumes(); }
        @Override public Optional<java.time.Instant> volumeFirstLinked(String n) { return real.volumeFirstLinked(n); }
        @Override public void removeVolume(String n) { real.removeVolume(n); }
        @Override public Optional<VmRecord> vm(String n) { return real.vm(n); }
        @Override public List<VmRecord> vms() { return real.vms(); }
        @Override public void updateVm(VmRecord vm) { real.updateVm(vm); }
        @Override public void removeVm(String n) { real.removeVm(n); }
        @Override public void addPair(dev.duplex.engine.inventory.PairRecord p) { real.addPair(p); }
        @Override public Optional<dev.duplex.engine.inventory.PairRecord> pair(String n) { return real.pair(n); }
        @Override public List<dev.duplex.engine.inventory.PairRecord> pairs() { return real.pairs(); }
        @Override public void removePair(String n) { real.removePair(n); }
        @Override public void setActiveSystem(String p, int s) { real.setActiveSystem(p, s); }
    }
}
