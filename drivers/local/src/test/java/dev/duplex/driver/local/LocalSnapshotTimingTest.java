package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.DriverConfig;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a safety snapshot costs on the local driver with reflinks (an XFS loop mount): a volume of
 * 64 MiB and one of 4 GiB, both fully written, snapshotted, restored and dropped five times each.
 * Prints the times (the benchmark; timings are reported, never asserted) and checks that a snapshot
 * shares the volume's blocks instead of copying them.
 */
class LocalSnapshotTimingTest {
    private static final int ROUNDS = 5;

    @TempDir
    Path temp;

    @Test
    void snapshotCostsTheSameAt64MiBAnd4GiB() throws IOException {
        try (ReflinkFileSystem xfs = ReflinkFileSystem.mountUnder(temp, 6L << 30);
                HypervisorDriver driver = new LocalDriverProvider().connect(new DriverConfig("bench-local", "local:", Map.of(),
                        Optional.empty(), xfs.root().resolve("state")))) {
            Map<String, String> figures = new LinkedHashMap<>();
            for (long size : List.of(64L << 20, 4L << 30)) {
                VolumeRef volume = driver.createVolume(new VolumeSpec("bench-" + (size >> 20), size, "database", Map.of()));
                Path table = xfs.root().resolve("state").resolve("volumes").resolve(volume.id()).resolve("data").resolve("table");
                fill(table, size);
                long freeBefore = Files.getFileStore(table).getUsableSpace();
                List<Long> take = new ArrayList<>();
                List<Long> restore = new ArrayList<>();
                List<Long> drop = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    long t = System.nanoTime();
                    VolumeSnapshot snapshot = driver.snapshotVolume(volume, "bench-" + round);
                    take.add(micros(t));
                    assertTrue(freeBefore - Files.getFileStore(table).getUsableSpace() < (32L << 20),
                            "a snapshot of " + (size >> 20) + " MiB shares its blocks");
                    t = System.nanoTime();
                    driver.restoreSnapshot(snapshot);
                    restore.add(micros(t));
                    t = System.nanoTime();
                    driver.deleteSnapshot(snapshot);
                    drop.add(micros(t));
                }
                assertEquals(size, Files.size(table));
                figures.put((size >> 20) + " MiB", "take " + median(take) + " ms, restore " + median(restore) + " ms, drop " + median(drop)
                        + " ms (medians of " + ROUNDS + "; takes " + take.stream().map(LocalSnapshotTimingTest::ms).toList() + ")");
                driver.deleteVolume(volume);
            }
            System.out.println("Local snapshot timings (reflink, XFS loop): " + figures);
        }
    }

    private static void fill(Path file, long size) throws IOException {
        byte[] block = new byte[1 << 20];
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            for (long offset = 0; offset < size; offset += block.length) {
                block[0] = (byte) (offset >> 20); // every MiB differs, so nothing dedups
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
