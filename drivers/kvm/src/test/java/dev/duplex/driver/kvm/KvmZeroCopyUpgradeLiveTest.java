package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.api.BootReport;
import dev.duplex.api.ConflictException;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's single-VM upgrade (S11 to S13) by hand through the driver SPI, against a real
 * libvirtd and real guests: software v1 writes a marker to its database volume, the VM is
 * stopped and deleted, a VM from image v2 gets a link to the same volume and reads the marker
 * back; both report through their serial console. Prints the per-operation timings.
 */
class KvmZeroCopyUpgradeLiveTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private HypervisorDriver driver;
    private ImageRef v1;
    private ImageRef v2;
    private VolumeRef database;

    @BeforeEach
    void connect() {
        driver = new KvmDriverProvider().connect(LiveLibvirt.get().config("live-upgrade", Map.of()));
    }

    @AfterEach
    void cleanUp() {
        for (var vm : driver.listVms()) {
            if (vm.vm().name().endsWith(run)) {
                driver.stop(vm.vm(), StopMode.FORCE);
                driver.deleteVm(vm.vm());
            }
        }
        if (database != null) {
            driver.deleteVolume(database);
        }
        for (ImageRef image : new ImageRef[] {v1, v2}) {
            if (image != null) {
                driver.deleteImage(image);
            }
        }
        driver.close();
        System.out.println("KVM live timings (" + run + "): " + timings);
    }

    @Test
    void databaseWrittenByV1IsReadByV2ThroughTheLink() {
        v1 = driver.registerImage(new ImageSpec("sip-" + run + "-v1", "v1", LiveLibvirt.guest("v1"), Map.of()));
        v2 = driver.registerImage(new ImageSpec("sip-" + run + "-v2", "v2", LiveLibvirt.guest("v2"), Map.of()));
        database = driver.createVolume(new VolumeSpec("db-" + run, 64L << 20, "database", Map.of("format", "raw")));
        String marker = "marker-" + run;
        VolumeLink link = new VolumeLink(database, "vdb", VolumeLink.Mode.MOUNT_AT_BOOT);

        VmRef old = boot("old", v1, link, Map.of("kernel-args", "duplex.marker=" + marker),
                Pattern.compile("DUPLEX version=v1 marker=(\\S+)"), marker);

        // The volume is in use: a second VM linked to it may be defined but not started.
        VmRef clash = driver.createVm(new VmSpec("clash-" + run, v2, List.of(link), Map.of()));
        ConflictException inUse = assertThrows(ConflictException.class, () -> driver.start(clash));
        assertTrue(inUse.getMessage().contains("in use by running VM old-" + run), inUse.getMessage());
        assertEquals(VmState.STOPPED, driver.state(clash));
        driver.deleteVm(clash);

        // S11: stop the VM running the old software; the database volume stays where it is.
        long t = System.nanoTime();
        driver.stop(old, StopMode.GRACEFUL);
        timings.put("graceful stop", since(t));
        assertEquals(VmState.STOPPED, driver.state(old));
        t = System.nanoTime();
        driver.deleteVm(old);
        timings.put("delete VM", since(t));
        assertTrue(driver.listVolumes().stream().anyMatch(v -> v.volume().equals(database)), "the database volume is kept");

        // S12-S13: a VM from the new image with a link to the same volume reads the database at boot.
        VmRef upgraded = boot("new", v2, link, Map.of(), Pattern.compile("DUPLEX version=v2 marker=(\\S+)"), marker);
        assertEquals(v2, driver.describeVm(upgraded).image());
        assertEquals(List.of(link), driver.describeVm(upgraded).links());
        t = System.nanoTime();
        driver.stop(upgraded, StopMode.FORCE);
        timings.put("force stop", since(t));
    }

    @Test
    void definitionLibvirtRejectsIsOneLineNamingTheVm() {
        try (HypervisorDriver xen = new KvmDriverProvider().connect(LiveLibvirt.get().config("live-xen", Map.of("domain-type", "xen")))) {
            v1 = xen.registerImage(new ImageSpec("xen-" + run, "v1", LiveLibvirt.guest("v1"), Map.of()));
        } catch (InvalidSpecException e) {
            // QEMU's driver refuses the image's template domain already
            assertTrue(e.getMessage().startsWith("Could not define image 'xen-" + run + "' on endpoint 'live-xen': "), e.getMessage());
            assertTrue(e.getMessage().contains("[VIR_ERR_"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            System.out.println("libvirt rejecting a definition: " + e.getMessage());
            return;
        }
        fail("libvirt accepted a xen domain on the QEMU driver");
    }

    private VmRef boot(String role, ImageRef image, VolumeLink link, Map<String, String> properties, Pattern reported,
            String expectedMarker) {
        long t = System.nanoTime();
        VmRef vm = driver.createVm(new VmSpec(role + "-" + run, image, List.of(link), properties));
        timings.put(role + " define", since(t));
        Path log = ((KvmDriver) driver).serialLog(vm).orElseThrow();
        long offset = SerialLog.size(log);
        t = System.nanoTime();
        BootReport report = driver.start(vm);
        timings.put(role + " start->running", since(t));
        assertEquals(0, report.bytesCopied(), "a mounted link copies nothing");
        assertEquals(VmState.RUNNING, driver.state(vm));
        var match = SerialLog.await(log, offset, reported, BOOT_TIMEOUT);
        timings.put(role + " start->guest reported", since(t));
        assertEquals(expectedMarker, match.group(1), "marker reported by " + role + " VM");
        SerialLog.await(log, offset, Pattern.compile("DUPLEX ready"), BOOT_TIMEOUT);
        timings.put(role + " start->guest ready", since(t));
        return vm;
    }

    private static Duration since(long nanos) {
        return Duration.ofMillis((System.nanoTime() - nanos) / 1_000_000);
    }
}
