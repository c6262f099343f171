package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.BytePatch;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.ItemChange;
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
import dev.duplex.engine.testing.FakeAuditLog;
import dev.duplex.engine.testing.FakeInventory;
import dev.duplex.engine.testing.FakeJobQueue;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Issue 10, item 7 on a real libvirtd: a pair of UEFI guests (OVMF, each with its own NVRAM
 * volume) upgraded by link through the engine's {@link RollingUpgrade} keeps each member's NVRAM
 * and revision. Before the pair boots, each member's environment is set through the store: a UEFI
 * variable of its own ({@code DuplexMarker}, non-volatile, written into OVMF's variable store as the
 * firmware lays variables out) by a ranged patch, a {@code configuration} item, and a revision.
 * Then the firmware boots on it (and adds its own variables), and the pair is upgraded.
 *
 * <p>Checked for each member: the new VM, as S22/S27 leave it (created, not started yet), holds
 * the old VM's NVRAM byte for byte, its configuration and its revision, exactly as the old VM held
 * them once stopped at S21/S26; after the upgrade (the new VM booted its firmware on that NVRAM,
 * which rewrites some variables of its own on every boot) the revision is still the old one and
 * the member's own variable is still in the new VM's NVRAM, byte for byte.
 */
class KvmUefiPairUpgradeLiveTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final String ENDPOINT = "kvm-live-uefi";
    /** Where OVMF's first variable goes: the variable store header follows the 0x48-byte firmware volume header. */
    private static final int FIRST_VARIABLE = 0x48 + 28;

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String pair = "upair-" + run;
    private final List<String> members = List.of("ue0-" + run, "ue1-" + run);
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private final List<ImageRef> images = new ArrayList<>();
    private final List<VolumeRef> volumes = new ArrayList<>();
    private LiveLibvirt peer;
    private KvmDriver driver;

    @BeforeEach
    void connect() {
        peer = LiveLibvirt.get();
        driver = (KvmDriver) new KvmDriverProvider().connect(peer.config(ENDPOINT, Map.of()));
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
        System.out.println("KVM live UEFI pair upgrade timings (" + run + "): " + timings);
    }

    @Test
    void aUefiPairUpgradedByLinkKeepsEachMembersNvramAndRevision() throws Exception {
        FakeInventory inventory = new FakeInventory();
        inventory.addEndpoint(new Endpoint(ENDPOINT, "kvm", peer.uri, Optional.empty(), Map.of()));
        ImageRef v1 = register("v1");
        ImageRef v2 = register("v2");
        inventory.addImage(new ImageRecord("uguest-v1-" + run, ENDPOINT, "v1", v1.id()));
        inventory.addImage(new ImageRecord("uguest-v2-" + run, ENDPOINT, "v2", v2.id()));

        List<VmRef> oldVms = new ArrayList<>();
        List<byte[]> variables = new ArrayList<>();
        long t = System.nanoTime();
        for (int system = 0; system < 2; system++) {
            String member = members.get(system);
            VolumeRef db = driver.createVolume(new VolumeSpec("udb" + system + "-" + run, 16L << 20, "database", Map.of("format", "raw")));
            volumes.add(db);
            inventory.addVolume(new VolumeRecord(db.name(), ENDPOINT, db.id(), 16L << 20, "database"));
            // OVMF needs more than the driver's default 128 MiB (with 128 it resets or faults before the kernel).
            Map<String, String> properties = Map.of("firmware", "uefi", "memory-mib", "256", "kernel-args", "duplex.marker=u" + system + "-" + run);
            VmRef vm = driver.createVm(new VmSpec(member, v1, List.of(new VolumeLink(db, "vdb", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));
            oldVms.add(vm);
            inventory.addVm(new VmRecord(member, ENDPOINT, vm.id(), "uguest-v1-" + run,
                    List.of(new LinkRecord(db.name(), "vdb", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));

            // The member's own environment: its UEFI variable, a configuration item, its revision.
            byte[] variable = uefiVariable("DuplexMarker", ("member=" + member + " system=" + system).getBytes(StandardCharsets.US_ASCII));
            variables.add(variable);
            EnvironmentSnapshot fresh = driver.environment(vm).read();
            int length = fresh.item("settings").orElseThrow().size();
            driver.environment(vm).write(new EnvironmentUpdate(0, 100 + system, List.of(
                    new ItemChange.Patch("settings", length, List.of(new BytePatch(FIRST_VARIABLE, variable))),
                    new ItemChange.Replace(new EnvironmentItem("configuration", ("sip.port=50" + system + "0\n").getBytes(StandardCharsets.UTF_8))))));
            driver.start(vm);
        }
        for (VmRef vm : oldVms) {
            SerialLog.await(serialLog(vm), 0, Pattern.compile("DUPLEX ready"), BOOT_TIMEOUT);
        }
        timings.put("both v1 UEFI guests booted", since(t));

        Path roles = dir.resolve("roles");
        Files.writeString(roles, members.get(0) + " ACT\n" + members.get(1) + " SBY\n");
        inventory.addPair(new PairRecord(pair, members.get(0), members.get(1), 0, StandbyKind.HOT,
                SimulatedRoles.controller(dir, peer.uri, roles),
                Map.of("timeout-ms", "60000", "poll-ms", "500", "health-timeout-ms", Long.toString(BOOT_TIMEOUT.toMillis()))));

        // What each old VM held once stopped, and what its new VM holds right after the link step.
        Map<String, EnvironmentSnapshot> oldAtStop = new LinkedHashMap<>();
        Map<String, EnvironmentSnapshot> newAtLink = new LinkedHashMap<>();
        Map<String, VmRef> newVms = new LinkedHashMap<>();
        UpgradeListener watcher = new UpgradeListener() {
            @Override
            public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
                System.out.println("KVM live UEFI pair upgrade " + step.id() + " (" + step.action() + ") " + elapsed.toMillis() + " ms " + outputs);
                int system = members.indexOf(step.member());
                if (step.id().equals("S21") || step.id().equals("S26")) {
                    oldAtStop.put(step.member(), driver.environment(oldVms.get(system)).read());
                } else if (step.id().equals("S22") || step.id().equals("S27")) {
                    VmRef created = new VmRef(outputs.get("vm-ref"), outputs.get("vm-name"));
                    newVms.put(step.member(), created);
                    assertEquals(VmState.STOPPED, driver.state(created), "the new VM is read before it first starts");
                    newAtLink.put(step.member(), driver.environment(created).read());
                }
            }

            @Override
            public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
                System.out.println("KVM live UEFI pair upgrade " + step.id() + " FAILED after " + elapsed.toMillis() + " ms: " + error);
            }
        };
        FakeJobQueue jobs = new FakeJobQueue();
        RollingUpgrade engine = new RollingUpgrade(inventory, jobs, new FakeAuditLog(), endpoint -> driver, new RoleControllers(),
                UpgradeSettings.defaults());
        t = System.nanoTime();
        UpgradeReport report = engine.run(UpgradeRequest.of(pair, "uguest-v2-" + run, UpgradeStrategy.LINK, "tester@kvm-live"), watcher);
        timings.put("RollingUpgrade.run", since(t));
        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse("") + "\n" + report.steps());

        for (int system = 0; system < 2; system++) {
            String member = members.get(system);
            EnvironmentSnapshot old = oldAtStop.get(member);
            EnvironmentSnapshot carried = newAtLink.get(member);
            byte[] oldNvram = old.item("settings").orElseThrow().content();
            assertEquals(100 + system, old.revision(), member + "'s old VM kept the revision set before it booted");
            assertTrue(contains(oldNvram, FIRST_VARIABLE, variables.get(system)), member + "'s firmware kept its variable");
            assertFalse(Arrays.equals(oldNvram, Files.readAllBytes(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"))));

            assertEquals(old.revision(), carried.revision(), member + ": the new VM starts at the old VM's revision");
            assertArrayEquals(oldNvram, carried.item("settings").orElseThrow().content(), member + ": the new VM's NVRAM, byte for byte");
            assertArrayEquals(old.item("configuration").orElseThrow().content(), carried.item("configuration").orElseThrow().content());
            assertEquals(old.items().stream().map(EnvironmentItem::name).toList(), carried.items().stream().map(EnvironmentItem::name).toList());

            // After the upgrade: the new VM runs v2 on that NVRAM and still has it, at the same revision.
            VmRef now = newVms.get(member);
            assertEquals(now.id(), inventory.vm(member).orElseThrow().driverRef());
            assertNotEquals(oldVms.get(system).id(), now.id());
            assertEquals(VmState.RUNNING, driver.state(now));
            assertEquals(v2, driver.describeVm(now).image());
            SerialLog.await(serialLog(now), 0, Pattern.compile("DUPLEX version=v2 marker=u" + system + "-" + run), Duration.ofSeconds(5));
            EnvironmentSnapshot after = driver.environment(now).read();
            assertEquals(old.revision(), after.revision(), member + ": revision after the upgrade");
            assertTrue(contains(after.item("settings").orElseThrow().content(), FIRST_VARIABLE, variables.get(system)),
                    member + ": its own UEFI variable is in the new VM's NVRAM after the new firmware booted on it");
        }
        timings.put("job total", report.total());
    }

    /**
     * One non-volatile UEFI variable as OVMF's authenticated variable store lays it out: the
     * 60-byte header (StartId 0x55AA, State VAR_ADDED, attributes NV|BS|RT, no time or key),
     * the UTF-16 name with its terminator, the data, padded to the 4-byte header alignment.
     */
    private static byte[] uefiVariable(String name, byte[] data) {
        byte[] utf16 = (name + "\0").getBytes(StandardCharsets.UTF_16LE);
        int size = 60 + utf16.length + data.length;
        ByteBuffer out = ByteBuffer.allocate((size + 3) & ~3).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) 0x55AA).put((byte) 0x3F).put((byte) 0).putInt(7).putLong(0).put(new byte[16]).putInt(0)
                .putInt(utf16.length).putInt(data.length)
                .put(new byte[] {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88, 0x0d, 0x0e, 0x0a, 0x0d, 0x0b, 0x0e, 0x0e, 0x0f})
                .put(utf16).put(data);
        while (out.hasRemaining()) {
            out.put((byte) 0xFF); // erased flash, as the store's free space is
        }
        return out.array();
    }

    private static boolean contains(byte[] store, int offset, byte[] expected) {
        return Arrays.equals(Arrays.copyOfRange(store, offset, offset + expected.length), expected);
    }

    private ImageRef register(String version) {
        ImageRef image = driver.registerImage(new ImageSpec("pu-uefi-" + run + "-" + version, version, LiveLibvirt.guest(version), Map.of()));
        images.add(image);
        return image;
    }

    private Path serialLog(VmRef vm) {
        return driver.serialLog(vm).orElseThrow();
    }

    private static Duration since(long nanos) {
        return Duration.ofMillis((System.nanoTime() - nanos) / 1_000_000);
    }
}
