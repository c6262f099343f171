package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.api.VolumeSpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a safety snapshot costs on a real libvirtd whose pool is on an XFS with reflinks: a raw
 * database volume of 64 MiB and one of 4 GiB, both fully written, snapshotted, restored and dropped
 * five times each through the driver. Prints the times (the benchmark: reported, never asserted) and
 * checks that a snapshot shares the volume's blocks and that a restore brings back its content.
 */
class KvmSnapshotTimingLiveTest {
    private static final int ROUNDS = 5;

    @Test
    void snapshotCostsTheSameAt64MiBAnd4GiB() throws IOException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (XfsPool xfs = XfsPool.create(6L << 30);
                HypervisorDriver driver = new KvmDriverProvider().connect(LiveLibvirt.get().config("bench-snapshots",
                        Map.of("pool", "duplex-bench", "pool-path", xfs.poolPath().toString())))) {
            RawVolumeProbe probe = new RawVolumeProbe();
            Map<String, String> figures = new LinkedHashMap<>();
            for (long size : List.of(64L << 20, 4L << 30)) {
                VolumeRef volume = driver.createVolume(new VolumeSpec("bench-" + (size >> 20) + "-" + run, size, "database",
                        Map.of("format", "raw")));
                fill(Path.of(volume.id()), size);
                probe.writeMarker(volume, "before");
                long freeBefore = Files.getFileStore(xfs.poolPath()).getUsableSpace();
                List<Long> take = new ArrayList<>();
                List<Long> restore = new ArrayList<>();
                List<Long> drop = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    long t = System.nanoTime();
                    VolumeSnapshot snapshot = driver.snapshotVolume(volume, "bench-" + round);
                    take.add(micros(t));
                    assertTrue(freeBefore - Files.getFileStore(xfs.poolPath()).getUsableSpace() < (32L << 20),
                            "a snapshot of " + (size >> 20) + " MiB shares its blocks");
                    probe.writeMarker(volume, "after");
                    t = System.nanoTime();
                    driver.restoreSnapshot(snapshot);
                    restore.add(micros(t));
                    assertEquals(Optional.of("before"), probe.readMarker(volume));
                    t = System.nanoTime();
                    driver.deleteSnapshot(snapshot);
                    drop.add(micros(t));
                }
                assertEquals(size, Files.size(Path.of(volume.id())));
                figures.put((size >> 20) + " MiB", "take " + median(take) + " ms, restore " + median(restore) + " ms, drop " + median(drop)
                        + " ms (medians of " + ROUNDS + "; takes " + take.stream().map(KvmSnapshotTimingLiveTest::ms).toList() + ")");
                driver.deleteVolume(volume);
            }
            System.out.println("KVM live snapshot timings (libvirt reflink clone, XFS pool): " + figures);
        }
    }

    /** Writes every MiB of the raw volume's file (each MiB different), as a full database would. */
    private static void fill(Path file, long size) throws IOException {
        byte[] block = new byte[1 << 20];
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            for (long offset = 0; offset < size; offset += block.length) {
                block[0] = (byte) (offset >> 20);
                out.write(block);
            }
            out.getFD().sync();
        }
    }

    private static long micros(long since) {
        return (System.nanoTime() - since) / 1_000;
    }

    private static String ms(long micros) {
        return String.format(java.util.Locale.ROOT, "%.1f", micros / 1000.0);
    }

    private static String median(List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        sorted.sort(null);
        return ms(sorted.get(sorted.size() / 2));
    }
}
