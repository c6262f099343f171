package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
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
import dev.duplex.driver.local.LocalDriverProvider;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envstore.StoredDiff;
import dev.duplex.engine.envstore.StoredRevision;
import dev.duplex.engine.envsync.EnvironmentSync;
import dev.duplex.engine.failover.EndpointDrivers;
import dev.duplex.engine.failover.EnvironmentPush;
import dev.duplex.engine.failover.Failover;
import dev.duplex.engine.failover.FailoverPlan;
import dev.duplex.engine.failover.FailoverReport;
import dev.duplex.engine.failover.Fence;
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
import dev.duplex.engine.upgrade.PlannedMember;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradePlan;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: a pair whose members live on two endpoints of different drivers — system 0 a real
 * KVM guest on the live tier's libvirtd, system 1 a process of the local driver — upgraded by link
 * (S21–S29) through the engine's {@link RollingUpgrade}, then failed over (seed 003's S300 push and
 * S400) through the engine's {@link Failover}. Each member has its own database volume on its own
 * endpoint (a KVM guest and a local process cannot share one); the marker each wrote with v1 is
 * read back by v2 from the same volume. The plans name each member's endpoint and driver. The
 * environment pushed for the KVM standby (items of its domain's metadata) is written through the
 * KVM driver's store at failover, while the local active is fenced through the local driver.
 *
 * <p>Why here: the live tier's peer (the libvirtd, the guest images, their serial logs) is this
 * module's test fixture, and this module already drives the engine in its tests; the local driver
 * joins as a test-scoped dependency only (drivers still know only {@code api} at run time). Roles,
 * switchover and replication are simulated in a state file by exec scripts, as in
 * {@link KvmPairUpgradeLiveTest}; health is each member's own word: the guest's serial log, or the
 * status file the local process writes.
 */
class KvmLocalPairLiveTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final String KVM = "kvm-mix";
    private static final String LOCAL = "local-mix";

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String pair = "mix-" + run;
    private final List<String> members = List.of("mx0-" + run, "mx1-" + run);
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private final List<ImageRef> kvmImages = new ArrayList<>();
    private final List<VolumeRef> kvmVolumes = new ArrayList<>();
    private LiveLibvirt peer;
    private KvmDriver kvm;
    private HypervisorDriver local;
    private Path status;

    @BeforeEach
    void connect() throws IOException {
        peer = LiveLibvirt.get();
        kvm = (KvmDriver) new KvmDriverProvider().connect(peer.config(KVM, Map.of()));
        local = new LocalDriverProvider().connect(new DriverConfig(LOCAL, "local:", Map.of(), Optional.empty(), dir.resolve("local-work")));
        status = Files.createDirectories(dir.resolve("status"));
    }

    @AfterEach
    void cleanUp() {
        for (VmInfo vm : kvm.listVms()) {
            if (vm.vm().name().contains(run)) {
                kvm.stop(vm.vm(), StopMode.FORCE);
                kvm.deleteVm(vm.vm());
            }
        }
        kvmVolumes.forEach(kvm::deleteVolume);
        kvmImages.forEach(kvm::deleteImage);
        kvm.close();
        for (VmInfo vm : local.listVms()) {
            try {
                local.stop(vm.vm(), StopMode.FORCE);
            } catch (RuntimeException e) {
                System.err.println("could not stop " + vm.vm() + ": " + e.getMessage());
            }
        }
        local.close();
        System.out.println("KVM live KVM+local pair timings (" + run + "): " + timings);
    }

    @Test
    void aPairWithOneMemberOnKvmAndOneOnTheLocalDriverIsUpgradedThenFailedOver() throws Exception {
        FakeInventory inventory = new FakeInventory();
        inventory.addEndpoint(new Endpoint(KVM, "kvm", peer.uri, Optional.empty(), Map.of()));
        inventory.addEndpoint(new Endpoint(LOCAL, "local", "local:", Optional.empty(), Map.of()));
        for (String version : List.of("v1", "v2")) {
            ImageRef guest = kvm.registerImage(new ImageSpec("mx-" + run + "-" + version, version, LiveLibvirt.guest(version), Map.of()));
            kvmImages.add(guest);
            inventory.addImage(new ImageRecord("guest-" + version, KVM, version, guest.id()));
            ImageRef process = local.registerImage(new ImageSpec("proc-" + version, version, localImage(version).toString(), Map.of()));
            inventory.addImage(new ImageRecord("proc-" + version, LOCAL, version, process.id()));
        }

        // System 0: a guest on KVM, its raw database volume in the libvirt pool; v1 writes its marker there.
        long t = System.nanoTime();
        List<String> markers = List.of("m0-" + run, "m1-" + run);
        VolumeRef db0 = kvm.createVolume(new VolumeSpec("mxdb0-" + run, 64L << 20, "database", Map.of("format", "raw")));
        kvmVolumes.add(db0);
        inventory.addVolume(new VolumeRecord(db0.name(), KVM, db0.id(), 64L << 20, "database"));
        Map<String, String> guestProperties = Map.of("kernel-args", "duplex.marker=" + markers.get(0));
        VmRef guest = kvm.createVm(new VmSpec(members.get(0), kvmImage("v1"),
                List.of(new VolumeLink(db0, "vdb", VolumeLink.Mode.MOUNT_AT_BOOT)), guestProperties));
        inventory.addVm(new VmRecord(members.get(0), KVM, guest.id(), "guest-v1",
                List.of(new LinkRecord(db0.name(), "vdb", VolumeLink.Mode.MOUNT_AT_BOOT)), guestProperties));
        kvm.start(guest);

        // System 1: a process of the local driver, its database volume a folder linked as 'db' in its root.
        VolumeRef db1 = local.createVolume(new VolumeSpec("mxdb1-" + run, 1L << 20, "database", Map.of()));
        inventory.addVolume(new VolumeRecord(db1.name(), LOCAL, db1.id(), 1L << 20, "database"));
        Map<String, String> processProperties = Map.of("env.MARKER", markers.get(1), "env.STATUS_DIR", status.toString());
        VmRef process = local.createVm(new VmSpec(members.get(1), imageRef(inventory, "proc-v1"),
                List.of(new VolumeLink(db1, "db", VolumeLink.Mode.MOUNT_AT_BOOT)), processProperties));
        inventory.addVm(new VmRecord(members.get(1), LOCAL, process.id(), "proc-v1",
                List.of(new LinkRecord(db1.name(), "db", VolumeLink.Mode.MOUNT_AT_BOOT)), processProperties));
        local.start(process);

        assertEquals(markers.get(0), SerialLog.await(serialLog(guest), 0, Pattern.compile("DUPLEX version=v1 marker=(\\S+)"), BOOT_TIMEOUT).group(1));
        SerialLog.await(serialLog(guest), 0, Pattern.compile("DUPLEX ready"), BOOT_TIMEOUT);
        assertEquals(markers.get(1), SerialLog.await(status.resolve(process.id()), 0, Pattern.compile("DUPLEX version=v1 marker=(\\S+)"),
                Duration.ofSeconds(30)).group(1));
        timings.put("both v1 members up", since(t));

        Path roles = dir.resolve("roles");
        Files.writeString(roles, members.get(0) + " ACT\n" + members.get(1) + " SBY\n");
        Map<String, String> controller = new HashMap<>(SimulatedRoles.controller(dir, peer.uri, roles));
        controller.put("health-command", healthScript().toString());
        // Cold: the failover boots the standby. The rolling upgrade runs both side by side first.
        inventory.addPair(new PairRecord(pair, members.get(0), members.get(1), 0, StandbyKind.COLD, controller,
                Map.of("timeout-ms", "60000", "poll-ms", "500", "health-timeout-ms", Long.toString(BOOT_TIMEOUT.toMillis()))));

        EndpointDrivers drivers = endpoint -> switch (endpoint) {
            case KVM -> kvm;
            case LOCAL -> local;
            default -> throw new IllegalArgumentException("no driver for endpoint " + endpoint);
        };
        FakeJobQueue jobs = new FakeJobQueue();
        FakeAuditLog audit = new FakeAuditLog();
        RollingUpgrade upgrades = new RollingUpgrade(inventory, jobs, audit, drivers::driver, new RoleControllers(), UpgradeSettings.defaults());
        UpgradeRequest request = new UpgradeRequest(pair, "guest-v2", "proc-v2", UpgradeStrategy.LINK, "tester@kvm-live");

        UpgradePlan plan = upgrades.plan(request);
        assertEquals(List.of(new PlannedMember(0, members.get(0), KVM, "kvm", "guest-v1", "guest-v2"),
                new PlannedMember(1, members.get(1), LOCAL, "local", "proc-v1", "proc-v2")), plan.members());

        t = System.nanoTime();
        UpgradeReport report = upgrades.run(request, new Progress());
        timings.put("upgrade", since(t));
        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse("") + "\n" + report.steps());
        assertEquals(1, inventory.pair(pair).orElseThrow().activeSystem(), "the local member took over at the switchover");
        VmRecord newGuest = inventory.vm(members.get(0)).orElseThrow();
        VmRecord newProcess = inventory.vm(members.get(1)).orElseThrow();
        assertEquals(KVM, newGuest.endpoint());
        assertEquals(LOCAL, newProcess.endpoint());
        VmRef guestV2 = new VmRef(newGuest.driverRef(), members.get(0) + "-j" + report.jobId());
        assertEquals(kvmImage("v2"), kvm.describeVm(guestV2).image());
        assertEquals(db0, kvm.describeVm(guestV2).links().get(0).volume(), "the new guest links the same volume");
        // Each v2 read its member's v1 marker from its own volume: the database survived through the link.
        assertEquals(markers.get(0), SerialLog.await(serialLog(guestV2), 0, Pattern.compile("DUPLEX version=v2 marker=(\\S+)"),
                Duration.ofSeconds(5)).group(1));
        assertEquals(markers.get(1), SerialLog.await(status.resolve(newProcess.driverRef()), 0,
                Pattern.compile("DUPLEX version=v2 marker=(\\S+)"), Duration.ofSeconds(5)).group(1));
        assertEquals(0, report.bytesCopied(), "link copies nothing");

        // The failover of a cold pair boots a standby that is off: stop the guest the upgrade left as standby.
        kvm.stop(guestV2, StopMode.FORCE);
        InMemoryArchive archive = new InMemoryArchive();
        byte[] settings = new byte[8 * 1024];
        new Random(15).nextBytes(settings);
        EnvironmentSnapshot pushed = new EnvironmentSnapshot(4, List.of(new EnvironmentItem("settings", settings),
                new EnvironmentItem("configuration", "sip.port=5060\n".getBytes(StandardCharsets.UTF_8))));
        var push = new EnvironmentPush(inventory, archive, drivers).push(pair, pushed);
        assertEquals(members.get(0), push.standby(), push.toString());

        Failover failover = new Failover(inventory, archive, jobs, audit, drivers, new RoleControllers(), new Fence(drivers),
                new EnvironmentSync(), "kvm-live", Failover.STALE_AFTER, BOOT_TIMEOUT, Clock.systemUTC(), System::nanoTime);
        FailoverPlan failoverPlan = failover.plan(pair, false);
        assertEquals(LOCAL, failoverPlan.fencedAt().endpoint(), failoverPlan.toString());
        assertEquals("local", failoverPlan.fencedAt().driver(), failoverPlan.toString());
        assertEquals(KVM, failoverPlan.startedAt().endpoint(), failoverPlan.toString());
        assertEquals("kvm", failoverPlan.startedAt().driver(), failoverPlan.toString());

        Path guestLog = serialLog(guestV2);
        long before = SerialLog.size(guestLog);
        t = System.nanoTime();
        FailoverReport failed = failover.failover(pair, false, "tester@kvm-live");
        timings.put("failover", since(t));
        assertEquals(members.get(0), failed.newActive(), failed.toString());
        assertTrue(failed.fence().confirmed(), failed.toString());
        assertEquals(0, inventory.pair(pair).orElseThrow().activeSystem());
        // The old active, a local process, is fenced; the guest booted again and serves as ACT.
        assertEquals(VmState.STOPPED, local.state(new VmRef(newProcess.driverRef(), members.get(1))));
        assertEquals(VmState.RUNNING, kvm.state(guestV2));
        assertEquals(markers.get(0), bootedAgain(guestLog, before).group(1), "the guest booted again on v2, on its own volume");
        assertTrue(Files.readString(roles).contains(members.get(0) + " ACT"), Files.readString(roles));
        // The environment pushed for the guest was written through the KVM driver's store while it was off.
        EnvironmentSnapshot synced = kvm.environment(guestV2).read();
        assertEquals(4, synced.revision());
        assertArrayEquals(settings, synced.item("settings").orElseThrow().content());
        assertArrayEquals(pushed.item("configuration").orElseThrow().content(), synced.item("configuration").orElseThrow().content());
    }

    /** The v2 line of the guest's boot after {@code before}: QEMU may append to its log or start it anew. */
    private static Matcher bootedAgain(Path log, long before) throws IOException, InterruptedException {
        Pattern v2 = Pattern.compile("DUPLEX version=v2 marker=(\\S+)");
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        boolean restarted = false;
        String text = "";
        while (System.nanoTime() < deadline) {
            byte[] all = Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
            restarted |= all.length < before;
            int from = restarted ? 0 : (int) Math.min(before, all.length);
            text = new String(all, from, all.length - from, StandardCharsets.UTF_8);
            Matcher matcher = v2.matcher(text);
            if (matcher.find() && text.contains("DUPLEX ready")) {
                return matcher;
            }
            Thread.sleep(200);
        }
        return fail("the guest did not boot again within " + BOOT_TIMEOUT + "; its log since the failover holds:\n" + text);
    }

    private ImageRef kvmImage(String version) {
        return kvmImages.get(version.equals("v1") ? 0 : 1);
    }

    private ImageRef imageRef(FakeInventory inventory, String image) {
        return new ImageRef(inventory.image(image).orElseThrow().driverRef(), image);
    }

    private Path serialLog(VmRef vm) {
        return kvm.serialLog(vm).orElseThrow();
    }

    /**
     * The local member's software: v1 writes its marker to its database volume on first start; both
     * versions report the marker they find there, as the guest does on its serial console.
     */
    private Path localImage(String version) throws IOException {
        Path image = Files.createDirectories(dir.resolve("image-" + version));
        String write = version.equals("v1") ? "[ -f db/marker ] || echo \"$MARKER\" > db/marker; " : "";
        String command = write + "{ echo \"DUPLEX version=$DUPLEX_IMAGE_VERSION marker=$(cat db/marker 2>/dev/null || echo none)\";"
                + " echo \"DUPLEX ready\"; } > \"$STATUS_DIR/$DUPLEX_VM_ID\"; exec sleep 100000";
        Files.writeString(image.resolve("duplex-image.properties"), "version=" + version + "\ncommand=" + command + "\n");
        return image;
    }

    /** Healthy once the member itself reported its version and marker: a guest on its serial log, a local process in its status file. */
    private Path healthScript() throws IOException {
        Path script = dir.resolve("health-mixed.sh");
        Files.writeString(script, """
                #!/bin/sh
                # health-command <pair> <member>; DUPLEX_ENDPOINT and DUPLEX_VM_REF name where the member runs
                if [ "$DUPLEX_ENDPOINT" = '%s' ]; then
                    LOG='%s'/"$DUPLEX_VM_REF"
                else
                    XML=$(virsh -q -c '%s' dumpxml "$DUPLEX_VM_REF" 2>&1) || { echo "no domain $DUPLEX_VM_REF: $XML"; exit 1; }
                    LOG=$(printf '%%s\\n' "$XML" | sed -n "s/.*<source path='\\([^']*vm-serial\\.log\\)'.*/\\1/p" | head -n 1)
                fi
                [ -n "$LOG" ] && [ -f "$LOG" ] || { echo "nothing reported yet ($LOG)"; exit 1; }
                LINE=$(tr -d '\\r' < "$LOG" | grep -a '^DUPLEX version=' | tail -n 1)
                tr -d '\\r' < "$LOG" | grep -aq '^DUPLEX ready' || { echo "booting: ${LINE:-nothing reported yet}"; exit 1; }
                VERSION=$(echo "$LINE" | sed -n 's/^DUPLEX version=\\([^ ]*\\).*/\\1/p')
                MARKER=$(echo "$LINE" | sed -n 's/.* marker=\\([^ ]*\\).*/\\1/p')
                if [ "$VERSION" != v1 ] && { [ -z "$MARKER" ] || [ "$MARKER" = none ]; }; then
                    echo "version $VERSION found no database marker: $LINE"; exit 1
                fi
                echo "version=$VERSION"
                echo "marker=$MARKER"
                """.formatted(LOCAL, status, peer.uri), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** The environment archive in memory (this module has no PostgreSQL). */
    private static final class InMemoryArchive implements EnvironmentArchive {
        private final Map<String, StoredRevision> revisions = new LinkedHashMap<>();
        private final Map<String, StoredDiff> diffs = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> calibrations = new LinkedHashMap<>();

        @Override
        public synchronized void saveRevision(StoredRevision revision) {
            revisions.put(revision.target() + "@" + revision.snapshot().revision(), revision);
        }

        @Override
        public synchronized Optional<StoredRevision> latestRevision(String target) {
            return revisions.values().stream().filter(r -> r.target().equals(target)).max(Comparator.comparingLong(r -> r.snapshot().revision()));
        }

        @Override
        public synchronized Optional<StoredRevision> revision(String target, long revision) {
            return Optional.ofNullable(revisions.get(target + "@" + revision));
        }

        @Override
        public synchronized void saveDiff(StoredDiff diff) {
            diffs.put(diff.target() + "@" + diff.baseRevision() + ">" + diff.targetRevision(), diff);
        }

        @Override
        public synchronized Optional<StoredDiff> diff(String target, long baseRevision, long targetRevision) {
            return Optional.ofNullable(diffs.get(target + "@" + baseRevision + ">" + targetRevision));
        }

        @Override
        public synchronized void saveCalibration(String target, Map<String, String> coefficients) {
            calibrations.put(target, Map.copyOf(coefficients));
        }

        @Override
        public synchronized Optional<Map<String, String>> calibration(String target) {
            return Optional.ofNullable(calibrations.get(target));
        }
    }

    /** Prints each step as it ends, so a slow run shows where its time went. */
    private static final class Progress implements UpgradeListener {
        @Override
        public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
            System.out.println("KVM live KVM+local pair " + step.id() + " (" + step.action() + ") " + elapsed.toMillis() + " ms " + outputs);
        }

        @Override
        public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
            System.out.println("KVM live KVM+local pair " + step.id() + " FAILED after " + elapsed.toMillis() + " ms: " + error);
        }
    }

    private static Duration since(long nanos) {
        return Duration.ofMillis((System.nanoTime() - nanos) / 1_000_000);
    }
}
