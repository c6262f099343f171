package dev.duplex.driver.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.role.RoleControllers;
import dev.duplex.engine.testing.FakeAuditLog;
import dev.duplex.engine.testing.FakeInventory;
import dev.duplex.engine.testing.FakeJobQueue;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.StepTiming;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's pair upgrade (S21–S29) of two Nova servers, driven by the engine's
 * {@link RollingUpgrade} with the {@code link} strategy: each member's database is one Cinder
 * volume, in the new server's block-device mapping, with the same id before and after. The fake
 * compute driver runs no guest, so the application's roles and replication are the exec role
 * controller's scripts over a small state file, as in the vSphere and KVM tests.
 */
@ExtendWith(OpenstackPeer.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenstackPairUpgradeTest implements OpenstackPeer.User {
    private static final String ENDPOINT = "openstack-peer";

    @TempDir
    Path dir;

    // Names unique per test, so the two strategies' runs do not meet on the shared peer.
    private String run;
    private String pair;
    private List<String> members;
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private OpenstackPeer peer;
    private HypervisorDriver driver;

    @Override
    public void usePeer(OpenstackPeer peer) {
        this.peer = peer;
    }

    @BeforeAll
    void connect() {
        driver = new OpenstackDriverProvider().connect(peer.driverConfig(ENDPOINT, Map.of()));
    }

    @BeforeEach
    void name() {
        run = UUID.randomUUID().toString().substring(0, 8);
        pair = "pair-" + run;
        members = List.of("m0-" + run, "m1-" + run);
    }

    @AfterAll
    void close() {
        if (driver != null) {
            driver.close();
        }
        System.out.println("OpenStack pair upgrade timings (" + run + "): " + timings);
    }

    @Test
    void aPairOfNovaServersIsUpgradedWithTheLinkStrategyAndKeepsItsCinderVolumes() throws IOException {
        upgrade(UpgradeStrategy.LINK, false);
    }

    /**
     * Issue 15's safety snapshot on OpenStack: the link upgrade snapshots each member's Cinder volume
     * while its old server is stopped (S21/S26), and a rollback afterwards reverts each volume to it
     * (Cinder's revert-to-snapshot, once the new server is deleted) before the old image boots on it.
     */
    @Test
    void aLinkUpgradeIsRolledBackOntoItsCinderSnapshots() throws IOException {
        upgrade(UpgradeStrategy.LINK, true);
    }

    /**
     * {@code snapshot-copy}: each new server gets a Cinder clone of its member's volume (an id of
     * its own, recorded in the inventory), and the original volumes stay as they were, unlinked.
     */
    @Test
    void aPairOfNovaServersIsUpgradedWithSnapshotCopyOntoCinderClones() throws IOException {
        upgrade(UpgradeStrategy.SNAPSHOT_COPY, false);
    }

    private void upgrade(UpgradeStrategy strategy, boolean thenRollBack) throws IOException {
        FakeInventory inventory = new FakeInventory();
        inventory.addEndpoint(new Endpoint(ENDPOINT, "openstack", peer.driverConfig(ENDPOINT, Map.of()).uri(),
                java.util.Optional.empty(), Map.of()));
        ImageRef v1 = driver.registerImage(new ImageSpec("pu-" + run + "-v1", "v1", peer.imageFile("v1").toString(), Map.of()));
        ImageRef v2 = driver.registerImage(new ImageSpec("pu-" + run + "-v2", "v2", peer.imageFile("v2").toString(), Map.of()));
        inventory.addImage(new ImageRecord("app-v1", ENDPOINT, "v1", v1.id()));
        inventory.addImage(new ImageRecord("app-v2", ENDPOINT, "v2", v2.id()));

        List<VolumeRef> volumes = new ArrayList<>();
        List<VmRef> oldVms = new ArrayList<>();
        for (int system = 0; system < 2; system++) {
            String member = members.get(system);
            VolumeRef db = driver.createVolume(new VolumeSpec("db" + system + "-" + run, 1L << 30, "database", Map.of()));
            volumes.add(db);
            inventory.addVolume(new VolumeRecord(db.name(), ENDPOINT, db.id(), 1L << 30, "database"));
            VmRef vm = driver.createVm(new VmSpec(member, v1, List.of(new VolumeLink(db, "var/lib/db", VolumeLink.Mode.MOUNT_AT_BOOT)),
                    Map.of()));
            long t = System.nanoTime();
            driver.start(vm);
            timings.put("start " + member, Duration.ofNanos(System.nanoTime() - t));
            oldVms.add(vm);
            driver.environment(vm).write(new EnvironmentUpdate(0, 3 + system, List.of(new ItemChange.Replace(configuration(system)))));
            inventory.addVm(new VmRecord(member, ENDPOINT, vm.id(), "app-v1",
                    List.of(new LinkRecord(db.name(), "var/lib/db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()));
        }

        Path roles = dir.resolve("roles");
        Files.writeString(roles, members.get(0) + " ACT\n" + members.get(1) + " SBY\n");
        inventory.addPair(new PairRecord(pair, members.get(0), members.get(1), 0, StandbyKind.HOT, roleController(roles),
                Map.of("timeout-ms", "120000", "poll-ms", "100", "health-timeout-ms", "120000")));
        RollingUpgrade engine = new RollingUpgrade(inventory, new FakeJobQueue(), new FakeAuditLog(), endpoint -> {
            if (!endpoint.equals(ENDPOINT)) {
                throw new IllegalArgumentException("no driver for endpoint " + endpoint);
            }
            return driver;
        }, new RoleControllers(), UpgradeSettings.defaults());

        List<VolumeRef> copies = new ArrayList<>();
        long t = System.nanoTime();
        UpgradeReport report;
        try {
            report = engine.run(UpgradeRequest.of(pair, "app-v2", strategy, "tester@openstack"), UpgradeListener.NONE);
        } finally {
            timings.put("RollingUpgrade.run " + strategy.key(), Duration.ofNanos(System.nanoTime() - t));
        }

        try {
            assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse("") + "\n" + report.steps());
            for (int system = 0; system < 2; system++) {
                String member = members.get(system);
                VmRecord record = inventory.vm(member).orElseThrow();
                assertEquals("app-v2", record.image());
                VmInfo info = driver.describeVm(new VmRef(record.driverRef(), member));
                assertEquals(VmState.RUNNING, info.state(), member);
                assertEquals(v2.id(), info.image().id(), member + " runs the new image");
                List<String> linked = info.links().stream().map(l -> l.volume().id()).toList();
                if (strategy == UpgradeStrategy.LINK) {
                    assertEquals(List.of(volumes.get(system).id()), linked, "the new server of " + member + " has the same Cinder volume, by id");
                } else {
                    VolumeRecord copy = inventory.volume(record.links().get(0).volume()).orElseThrow();
                    copies.add(new VolumeRef(copy.driverRef(), copy.name()));
                    assertEquals(List.of(copy.driverRef()), linked, "the new server of " + member + " has the clone the inventory records");
                    assertTrue(!copy.driverRef().equals(volumes.get(system).id()), "the clone is a volume of its own");
                    String original = volumes.get(system).id();
                    assertTrue(driver.listVms().stream().noneMatch(vm -> vm.links().stream().anyMatch(l -> l.volume().id().equals(original))),
                            "no server links the original volume of " + member);
                }
                EnvironmentSnapshot carried = driver.environment(new VmRef(record.driverRef(), member)).read();
                assertEquals(new EnvironmentSnapshot(3 + system, List.of(configuration(system))), carried,
                        "the new server of " + member + " carries the old one's environment at its revision");
                VmRef old = oldVms.get(system);
                assertTrue(driver.listVms().stream().noneMatch(vm -> vm.vm().id().equals(old.id())), "the old server of " + member + " is gone");
            }
            for (VolumeRef volume : volumes) {
                assertTrue(driver.listVolumes().stream().anyMatch(v -> v.volume().id().equals(volume.id())), volume + " still there");
            }
            assertEquals(1, inventory.pair(pair).orElseThrow().activeSystem(), "system 1 took over at the switchover");
            assertEquals(0, report.bytesCopied(), "link copies nothing, and Cinder's clone reports no bytes");
            report.switchoverGap().ifPresent(gap -> timings.put(strategy.key() + " switchover gap S25", gap));
            for (StepTiming step : report.steps()) {
                step.elapsed().ifPresent(e -> timings.put(strategy.key() + " step " + step.id(), e));
            }
            for (int system = 0; system < 2; system++) {
                List<String> snapshots = driver.listSnapshots(volumes.get(system)).stream().map(VolumeSnapshot::name).toList();
                assertEquals(strategy == UpgradeStrategy.LINK ? List.of("duplex-job-" + report.jobId() + "-" + members.get(system)) : List.of(),
                        snapshots, "the safety snapshot of " + volumes.get(system) + " (link only: snapshot-copy writes to a clone)");
            }
            if (thenRollBack) {
                long back = System.nanoTime();
                UpgradeReport rollback = engine.rollback(report.jobId(), "tester@openstack", UpgradeListener.NONE);
                timings.put("rollback " + strategy.key(), Duration.ofNanos(System.nanoTime() - back));
                assertEquals(JobState.SUCCEEDED, rollback.state(), () -> rollback.error().orElse("") + "\n" + rollback.steps());
                Map<String, String> outputs = new LinkedHashMap<>();
                rollback.steps().forEach(step -> outputs.putAll(step.outputs()));
                for (int system = 0; system < 2; system++) {
                    String member = members.get(system);
                    VolumeRef volume = volumes.get(system);
                    assertEquals("duplex-job-" + report.jobId() + "-" + member, outputs.get("restored." + volume.name()),
                            "the rollback reverted " + volume + " to its safety snapshot: " + outputs);
                    VmRecord record = inventory.vm(member).orElseThrow();
                    assertEquals("app-v1", record.image(), member + " is back on the old image");
                    VmInfo info = driver.describeVm(new VmRef(record.driverRef(), member));
                    assertEquals(v1.id(), info.image().id());
                    assertEquals(List.of(volume.id()), info.links().stream().map(l -> l.volume().id()).toList(),
                            "the old image runs on the same Cinder volume, by id");
                }
            }
        } finally {
            cleanUp(inventory, volumes, copies, oldVms, v1, v2);
        }
    }

    /** A configuration item larger than one metadata value, different per member. */
    private EnvironmentItem configuration(int system) {
        return new EnvironmentItem("configuration", ("sip.listen=0.0.0.0:5060\nmember=" + members.get(system) + "\n").repeat(20)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Deletes every server, volume and image of the run, whatever the upgrade left. */
    private void cleanUp(FakeInventory inventory, List<VolumeRef> volumes, List<VolumeRef> copies, List<VmRef> oldVms,
            ImageRef... images) {
        List<String> ids = new ArrayList<>(oldVms.stream().map(VmRef::id).toList());
        members.forEach(m -> inventory.vm(m).ifPresent(r -> ids.add(r.driverRef())));
        for (VmInfo vm : driver.listVms()) {
            if (ids.contains(vm.vm().id()) || vm.vm().name().endsWith(run)) {
                if (vm.state() != VmState.STOPPED && vm.state() != VmState.CRASHED) {
                    driver.stop(vm.vm(), StopMode.FORCE);
                }
                driver.deleteVm(vm.vm());
            }
        }
        // A volume with snapshots cannot be deleted: the upgrade's safety snapshots go first.
        for (VolumeRef volume : volumes) {
            driver.listSnapshots(volume).forEach(driver::deleteSnapshot);
        }
        volumes.forEach(driver::deleteVolume);
        copies.forEach(driver::deleteVolume);
        for (ImageRef image : images) {
            driver.deleteImage(image);
        }
    }

    private Map<String, String> roleController(Path roles) throws IOException {
        // The fake compute driver runs no guest: the application's roles are simulated by these scripts.
        Path rolesCommand = script("roles.sh", """
                #!/bin/sh
                awk -v m="$2" '$1 == m { print $2 }' '%s'
                """.formatted(roles));
        Path switchover = script("switchover.sh", """
                #!/bin/sh
                set -e
                grep -v "^$2 " '%1$s' > '%1$s.tmp' || true
                echo "$2 $3" >> '%1$s.tmp'
                mv '%1$s.tmp' '%1$s'
                """.formatted(roles));
        Path sync = script("sync.sh", """
                #!/bin/sh
                echo in-sync
                """);
        return Map.of("type", "exec", "roles-command", rolesCommand.toString(), "switchover-command", switchover.toString(),
                "sync-command", sync.toString(), "timeout-ms", "20000");
    }

    private Path script(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
