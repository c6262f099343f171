package dev.duplex.driver.kvm;

import dev.duplex.engine.testing.FakeAuditLog;
import dev.duplex.engine.testing.FakeInventory;
import dev.duplex.engine.testing.FakeJobQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.duplex.engine.role.RoleControllers;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.SingleSideWindow;
import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.StepTiming;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's pair upgrade (S21–S29) end to end on real guests, driven by the engine's
 * {@link RollingUpgrade} with the {@code link} strategy: system 0 (ACT) and system 1 (SBY) each
 * run software v1 with its own raw database volume linked mount-at-boot; v1 writes a per-member
 * marker to it. The pair is upgraded to image v2, whose guest reads the marker back from the same
 * volume and prints {@code DUPLEX version=v2 marker=<marker>} on its serial console.
 *
 * <p>The role controller is the engine's real {@code exec} one. The guests have no network, so the
 * application's roles, switchover and replication are simulated by the shell scripts this test
 * writes: roles live in a small state file, a switchover rewrites it, and the standby is always
 * "in-sync". Health, however, is the guest's own: {@code health-command} finds the member's
 * serial log in its domain's XML (virsh dumpxml of {@code $DUPLEX_VM_REF}) and reports healthy,
 * with {@code version=<v>}, only once the guest printed {@code DUPLEX version=<v>} (for v2 with the
 * marker it read) and {@code DUPLEX ready}. Inventory, job queue and audit log are in-memory
 * copies of the engine tests' fakes (this module has no PostgreSQL).
 */
class KvmPairUpgradeLiveTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(150);
    private static final String ENDPOINT = "kvm-live";

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String pair = "pair-" + run;
    private final List<String> members = List.of("kv0-" + run, "kv1-" + run);
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private final List<ImageRef> images = new ArrayList<>();
    private final List<VolumeRef> volumes = new ArrayList<>();
    private LiveLibvirt peer;
    private HypervisorDriver driver;

    @BeforeEach
    void connect() {
        peer = LiveLibvirt.get();
        driver = new KvmDriverProvider().connect(peer.config(ENDPOINT, Map.of()));
    }

    @AfterEach
    void cleanUp() {
        for (VmInfo vm : driver.listVms()) {
            if (vm.vm().name().contains(run)) {
                driver.stop(vm.vm(), StopMode.FORCE);
                driver.deleteVm(vm.vm());
            }
        }
        volumes.forEach(driver::deleteVolume);
        images.forEach(driver::deleteImage);
        driver.close();
        System.out.println("KVM live pair upgrade timings (" + run + "): " + timings);
    }

    @Test
    void aPairOfRealGuestsIsUpgradedWithTheLinkStrategyAndKeepsItsDatabases() throws IOException {
        FakeInventory inventory = new FakeInventory();
        inventory.addEndpoint(new Endpoint(ENDPOINT, "kvm", peer.uri, Optional.empty(), Map.of()));
        ImageRef v1 = register("v1");
        ImageRef v2 = register("v2");
        inventory.addImage(new ImageRecord("guest-v1", ENDPOINT, "v1", v1.id()));
        inventory.addImage(new ImageRecord("guest-v2", ENDPOINT, "v2", v2.id()));

        // Both members on v1, each with its own database volume and marker; booted side by side.
        List<String> markers = new ArrayList<>();
        List<VmRef> oldVms = new ArrayList<>();
        long t = System.nanoTime();
        for (int system = 0; system < 2; system++) {
            String member = members.get(system);
            VolumeRef db = driver.createVolume(new VolumeSpec("db" + system + "-" + run, 64L << 20, "database", Map.of("format", "raw")));
            volumes.add(db);
            inventory.addVolume(new VolumeRecord(db.name(), ENDPOINT, db.id(), 64L << 20, "database"));
            String marker = "m" + system + "-" + run;
            markers.add(marker);
            Map<String, String> properties = Map.of("kernel-args", "duplex.marker=" + marker);
            VmRef vm = driver.createVm(new VmSpec(member, v1, List.of(new VolumeLink(db, "vdb", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));
            driver.start(vm);
            oldVms.add(vm);
            inventory.addVm(new VmRecord(member, ENDPOINT, vm.id(), "guest-v1",
                    List.of(new LinkRecord(db.name(), "vdb", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));
        }
        for (int system = 0; system < 2; system++) {
            Path log = serialLog(oldVms.get(system));
            assertEquals(markers.get(system), SerialLog.await(log, 0, Pattern.compile("DUPLEX version=v1 marker=(\\S+)"), BOOT_TIMEOUT).group(1));
            SerialLog.await(log, 0, Pattern.compile("DUPLEX ready"), BOOT_TIMEOUT);
        }
        timings.put("both v1 guests booted and wrote their markers", since(t));

        Path roles = dir.resolve("roles");
        Files.writeString(roles, members.get(0) + " ACT\n" + members.get(1) + " SBY\n");
        inventory.addPair(new PairRecord(pair, members.get(0), members.get(1), 0, StandbyKind.HOT, SimulatedRoles.controller(dir, peer.uri, roles),
                Map.of("timeout-ms", "60000", "poll-ms", "500", "health-timeout-ms", Long.toString(BOOT_TIMEOUT.toMillis()))));

        FakeJobQueue jobs = new FakeJobQueue();
        RollingUpgrade engine = new RollingUpgrade(inventory, jobs, new FakeAuditLog(), endpoint -> {
            if (!endpoint.equals(ENDPOINT)) {
                throw new IllegalArgumentException("no driver for endpoint " + endpoint);
            }
            return driver;
        }, new RoleControllers(), UpgradeSettings.defaults());
        t = System.nanoTime();
        UpgradeReport report = engine.run(UpgradeRequest.of(pair, "guest-v2", UpgradeStrategy.LINK, "tester@kvm-live"), new Progress());
        timings.put("RollingUpgrade.run", since(t));

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse("") + "\n" + report.steps());
        assertEquals(JobState.SUCCEEDED, jobs.job(report.jobId()).orElseThrow().state());
        for (int system = 0; system < 2; system++) {
            String member = members.get(system);
            VmRecord record = inventory.vm(member).orElseThrow();
            assertEquals("guest-v2", record.image());
            VmRef now = new VmRef(record.driverRef(), member + "-j" + report.jobId());
            VmInfo info = driver.describeVm(now);
            assertEquals(VmState.RUNNING, info.state(), member);
            assertEquals(v2, info.image());
            assertEquals(volumes.get(system), info.links().get(0).volume(), "the new VM of " + member + " links the same volume");
            assertTrue(driver.listVms().stream().noneMatch(vm -> vm.vm().id().equals(oldVms.get(member.equals(members.get(0)) ? 0 : 1).id())),
                    "the old VM of " + member + " is gone");
            // The database survived through the link: v2 read v1's marker from the same raw volume.
            var reported = SerialLog.await(serialLog(now), 0, Pattern.compile("DUPLEX version=v2 marker=(\\S+)"), Duration.ofSeconds(5));
            assertEquals(markers.get(system), reported.group(1), "marker v2 read on " + member);
        }
        assertEquals(1, inventory.pair(pair).orElseThrow().activeSystem(), "system 1 took over at the switchover");
        assertEquals(members.get(0) + " SBY\n" + members.get(1) + " ACT", Files.readString(roles).strip().lines().sorted()
                .reduce((a, b) -> a + "\n" + b).orElse(""));

        assertEquals(2, report.singleSideWindows().size(), report.singleSideWindows().toString());
        assertTrue(report.switchoverGap().isPresent(), "switchover gap measured");
        assertEquals(0, report.bytesCopied(), "link copies nothing");
        for (SingleSideWindow window : report.singleSideWindows()) {
            timings.put("single-side window " + window.fromStep() + "->" + window.toStep() + " (" + window.servedBy() + " alone)", window.length());
        }
        timings.put("switchover gap S25", report.switchoverGap().get());
        timings.put("job total", report.total());
        for (StepTiming step : report.steps()) {
            step.elapsed().ifPresent(e -> timings.put("step " + step.id(), e));
        }
    }

    private ImageRef register(String version) {
        ImageRef image = driver.registerImage(new ImageSpec("pu-" + run + "-" + version, version, LiveLibvirt.guest(version), Map.of()));
        images.add(image);
        return image;
    }

    private Path serialLog(VmRef vm) {
        return ((KvmDriver) driver).serialLog(vm).orElseThrow();
    }

    /** Prints each step as it ends, so a slow run shows where its time went. */
    private static final class Progress implements UpgradeListener {
        @Override
        public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
            System.out.println("KVM live pair upgrade " + step.id() + " (" + step.action() + ") " + elapsed.toMillis() + " ms " + outputs);
        }

        @Override
        public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
            System.out.println("KVM live pair upgrade " + step.id() + " FAILED after " + elapsed.toMillis() + " ms: " + error);
        }
    }

    private static Duration since(long nanos) {
        return Duration.ofMillis((System.nanoTime() - nanos) / 1_000_000);
    }
}
