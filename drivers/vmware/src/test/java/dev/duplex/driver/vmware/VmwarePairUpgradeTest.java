package dev.duplex.driver.vmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeInfo;
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
import dev.duplex.engine.role.RoleControllers;
import dev.duplex.engine.testing.FakeAuditLog;
import dev.duplex.engine.testing.FakeInventory;
import dev.duplex.engine.testing.FakeJobQueue;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.StepTiming;
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
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's pair upgrade (S21–S29) of two vcsim VMs, driven by the engine's {@link RollingUpgrade}
 * with the {@code link} strategy: each member's database disk is the same vmdk, attached to its new
 * VM, before and after. vcsim runs no guest, so the application's roles and replication are the
 * exec role controller's scripts over a small state file, as in the KVM live test; what is checked
 * on the platform is that the new VMs run the new template with the very same disks attached, the
 * old VMs are gone, the disks are still there, and each member's environment info (revision and
 * items: {@code settings} as the VM's nvram file, {@code configuration} in extraConfig) moved to its new VM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VmwarePairUpgradeTest {
    private static final String ENDPOINT = "vcsim";

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String pair = "pair-" + run;
    private final List<String> members = List.of("m0-" + run, "m1-" + run);
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private Vcsim vcsim;
    private HypervisorDriver driver;

    @BeforeAll
    void start() throws Exception {
        vcsim = Vcsim.start();
        driver = new VmwareDriverProvider().connect(new DriverConfig(ENDPOINT, vcsim.sdk().toString(), Map.of("user", Vcsim.USER),
                Optional.of(vcsim.passwordFile()), Path.of("target", "vmware-work")));
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) {
            driver.close();
        }
        if (vcsim != null) {
            vcsim.close();
        }
        System.out.println("vcsim pair upgrade timings (" + run + "): " + timings);
    }

    @Test
    void aPairOfVcsimVmsIsUpgradedWithTheLinkStrategyAndKeepsItsDisks() throws IOException {
        FakeInventory inventory = new FakeInventory();
        inventory.addEndpoint(new Endpoint(ENDPOINT, "vmware", vcsim.sdk().toString(), Optional.empty(), Map.of()));
        ImageRef v1 = driver.registerImage(new ImageSpec("pu-" + run + "-v1", "v1", "blank", Map.of()));
        ImageRef v2 = driver.registerImage(new ImageSpec("pu-" + run + "-v2", "v2", "blank", Map.of()));
        inventory.addImage(new ImageRecord("app-v1", ENDPOINT, "v1", v1.id()));
        inventory.addImage(new ImageRecord("app-v2", ENDPOINT, "v2", v2.id()));

        List<VolumeRef> disks = new ArrayList<>();
        List<VmRef> oldVms = new ArrayList<>();
        for (int system = 0; system < 2; system++) {
            String member = members.get(system);
            VolumeRef db = driver.createVolume(new VolumeSpec("db" + system + "-" + run, 16L << 20, "database", Map.of()));
            disks.add(db);
            inventory.addVolume(new VolumeRecord(db.name(), ENDPOINT, db.id(), 16L << 20, "database"));
            VmRef vm = driver.createVm(new VmSpec(member, v1, List.of(new VolumeLink(db, "var/lib/db", VolumeLink.Mode.MOUNT_AT_BOOT)),
                    Map.of()));
            // Each member's operating-environment info, which the upgrade must carry to its new VM.
            driver.environment(vm).write(new EnvironmentUpdate(0, 3, List.of(
                    new ItemChange.Replace(new EnvironmentItem("settings", firmware(member))),
                    new ItemChange.Replace(new EnvironmentItem("configuration", ("member=" + member).getBytes(StandardCharsets.UTF_8))))));
            driver.start(vm);
            oldVms.add(vm);
            inventory.addVm(new VmRecord(member, ENDPOINT, vm.id(), "app-v1",
                    List.of(new LinkRecord(db.name(), "var/lib/db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()));
        }
        List<VolumeInfo> before = driver.listVolumes();

        Path roles = dir.resolve("roles");
        Files.writeString(roles, members.get(0) + " ACT\n" + members.get(1) + " SBY\n");
        inventory.addPair(new PairRecord(pair, members.get(0), members.get(1), 0, StandbyKind.HOT, roleController(roles),
                Map.of("timeout-ms", "60000", "poll-ms", "100", "health-timeout-ms", "60000")));
        FakeJobQueue jobs = new FakeJobQueue();
        RollingUpgrade engine = new RollingUpgrade(inventory, jobs, new FakeAuditLog(), endpoint -> {
            if (!endpoint.equals(ENDPOINT)) {
                throw new IllegalArgumentException("no driver for endpoint " + endpoint);
            }
            return driver;
        }, new RoleControllers(), UpgradeSettings.defaults());

        long t = System.nanoTime();
        UpgradeReport report = engine.run(UpgradeRequest.of(pair, "app-v2", UpgradeStrategy.LINK, "tester@vcsim"), dev.duplex.engine.upgrade.UpgradeListener.NONE);
        timings.put("RollingUpgrade.run", Duration.ofNanos(System.nanoTime() - t));

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse("") + "\n" + report.steps());
        for (int system = 0; system < 2; system++) {
            String member = members.get(system);
            VmRecord record = inventory.vm(member).orElseThrow();
            assertEquals("app-v2", record.image());
            VmInfo info = driver.describeVm(new VmRef(record.driverRef(), member));
            assertEquals(VmState.RUNNING, info.state(), member);
            assertEquals(v2.id(), info.image().id(), member + " runs the new template");
            assertEquals(List.of(disks.get(system)), info.links().stream().map(VolumeLink::volume).toList(),
                    "the new VM of " + member + " has the same disk attached");
            EnvironmentSnapshot environment = driver.environment(new VmRef(record.driverRef(), member)).read();
            assertEquals(3, environment.revision(), member + "'s environment revision carried over");
            assertEquals("member=" + member, new String(environment.item("configuration").orElseThrow().content(), StandardCharsets.UTF_8));
            assertArrayEquals(firmware(member), environment.item("settings").orElseThrow().content(),
                    member + "'s nvram file carried to the new VM byte for byte");
            assertFalse(((VmwareDriver) driver).extraConfigOf(new VmRef(record.driverRef(), member)).containsKey("duplex.env.item.settings"),
                    "settings travelled as the nvram file, not in extraConfig");
            VmRef old = oldVms.get(system);
            assertTrue(driver.listVms().stream().noneMatch(vm -> vm.vm().id().equals(old.id())), "the old VM of " + member + " is gone");
        }
        assertEquals(before, driver.listVolumes(), "the same disks, same sizes, before and after");
        assertEquals(1, inventory.pair(pair).orElseThrow().activeSystem(), "system 1 took over at the switchover");
        assertEquals(0, report.bytesCopied(), "link copies nothing");
        timings.put("switchover gap S25", report.switchoverGap().orElseThrow());
        for (StepTiming step : report.steps()) {
            step.elapsed().ifPresent(e -> timings.put("step " + step.id(), e));
        }
    }

    /** A member's own firmware variables: 8 KiB that differ between the members. */
    private static byte[] firmware(String member) {
        byte[] bytes = new byte[8192];
        new java.util.Random(member.hashCode()).nextBytes(bytes);
        return bytes;
    }

    private Map<String, String> roleController(Path roles) throws IOException {
        // vcsim runs no guest: the application's roles are simulated by these scripts.
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
