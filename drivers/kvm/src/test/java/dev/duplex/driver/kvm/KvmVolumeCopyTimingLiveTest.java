package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.duplex.api.BootReport;
import dev.duplex.api.CopyProgress;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the zero-copy upgrade saves, measured on a real libvirtd: a 1 GiB database volume moved
 * to a new VM by {@code copyVolume} (libvirt download/upload streams), by copy at boot
 * ({@code virStorageVolCreateXMLFrom}), and by a link (nothing copied). Prints the times.
 */
class KvmVolumeCopyTimingLiveTest {
    private static final long GIB = 1L << 30;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<VmRef> vms = new ArrayList<>();
    private final List<VolumeRef> volumes = new ArrayList<>();
    private HypervisorDriver driver;
    private ImageRef image;

    @AfterEach
    void cleanUp() {
        if (driver == null) {
            return;
        }
        vms.forEach(vm -> {
            driver.stop(vm, StopMode.FORCE);
            driver.deleteVm(vm);
        });
        volumes.forEach(driver::deleteVolume);
        if (image != null) {
            driver.deleteImage(image);
        }
        driver.close();
    }

    @Test
    void oneGibibyteCopiedVersusLinked() {
        driver = new KvmDriverProvider().connect(LiveLibvirt.get().config("live-copy", Map.of()));
        var probe = new RawVolumeProbe();
        var timings = new LinkedHashMap<String, String>();
        VolumeRef source = volume("src");
        VolumeRef target = volume("dst");
        long written = probe.writeMarker(source, "gib-" + run);
        // Make the source's content real (not a sparse hole) across the whole GiB.
        fill(source);

        long t = System.nanoTime();
        long copied = driver.copyVolume(source, target, CopyProgress.NONE);
        timings.put("copyVolume 1 GiB (streams)", millis(t) + " ms");
        assertEquals(GIB, copied);
        assertEquals(written, copied);
        assertEquals(Optional.of("gib-" + run), probe.readMarker(target));

        image = driver.registerImage(new ImageSpec("copy-" + run, "v2", LiveLibvirt.guest("v2"), Map.of()));
        VmRef copying = vm("copy", new VolumeLink(source, "vdb", VolumeLink.Mode.COPY_AT_BOOT));
        t = System.nanoTime();
        BootReport copyBoot = driver.start(copying);
        timings.put("start with copy at boot 1 GiB (CreateXMLFrom)", millis(t) + " ms (copy " + copyBoot.copyTime().toMillis() + " ms)");
        assertEquals(GIB, copyBoot.bytesCopied());
        driver.stop(copying, StopMode.FORCE);

        VmRef linked = vm("link", new VolumeLink(source, "vdb", VolumeLink.Mode.MOUNT_AT_BOOT));
        t = System.nanoTime();
        BootReport linkBoot = driver.start(linked);
        timings.put("start with link (mount at boot)", millis(t) + " ms (" + linkBoot.bytesCopied() + " bytes copied)");
        assertEquals(0, linkBoot.bytesCopied());
        System.out.println("KVM live timings, 1 GiB volume: " + timings);
    }

    private VolumeRef volume(String role) {
        VolumeRef volume = driver.createVolume(new VolumeSpec(role + "-" + run, GIB, "database", Map.of("format", "raw")));
        volumes.add(volume);
        return volume;
    }

    private VmRef vm(String role, VolumeLink link) {
        VmRef vm = driver.createVm(new VmSpec(role + "-" + run, image, List.of(link), Map.of()));
        vms.add(vm);
        return vm;
    }

    private static void fill(VolumeRef volume) {
        byte[] block = new byte[1 << 20];
        java.util.Arrays.fill(block, (byte) 0x5a);
        try (var file = new java.io.RandomAccessFile(volume.id(), "rw")) {
            for (long offset = 1 << 20; offset < GIB; offset += block.length) {
                file.seek(offset);
                file.write(block);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long millis(long since) {
        return Duration.ofNanos(System.nanoTime() - since).toMillis();
    }
}
