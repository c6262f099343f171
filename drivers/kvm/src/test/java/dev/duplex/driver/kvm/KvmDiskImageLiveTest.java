package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A disk-image image ({@code volume:<key>}) on a real libvirtd: each VM gets a qcow2 overlay
 * backed by the base volume, QEMU runs it, and deleting the VM deletes only the overlay.
 */
class KvmDiskImageLiveTest {
    @Test
    void vmRunsOnAnOverlayOfTheBaseVolume() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (HypervisorDriver driver = new KvmDriverProvider().connect(LiveLibvirt.get().config("live-disk", Map.of()))) {
            VolumeRef base = driver.createVolume(new VolumeSpec("base-" + run, 64L << 20, "os", Map.of("format", "qcow2")));
            ImageRef image = driver.registerImage(new ImageSpec("disk-" + run, "v3", "volume:" + base.id(), Map.of()));
            VmRef vm = driver.createVm(new VmSpec("disk-" + run, image, List.of(), Map.of()));
            Path overlay = Path.of(base.id()).resolveSibling("disk-" + run + ".vm-disk.qcow2");
            byte[] header = Files.readAllBytes(overlay);
            String text = new String(header, 0, Math.min(header.length, 4096), StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("QFI"), "a qcow2 overlay");
            assertTrue(text.contains(base.id()), "backed by the base volume");

            driver.start(vm);
            assertEquals(VmState.RUNNING, driver.state(vm));
            driver.stop(vm, StopMode.FORCE);
            driver.deleteVm(vm);
            assertFalse(Files.exists(overlay), "the overlay goes with the VM");
            assertTrue(Files.exists(Path.of(base.id())), "the base stays");
            driver.deleteImage(image);
            driver.deleteVolume(base);
        }
    }
}
