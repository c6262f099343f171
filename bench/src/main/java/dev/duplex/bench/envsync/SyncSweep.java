package dev.duplex.bench.envsync;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.envsync.Calibration;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.envsync.CostModelChooser;
import dev.duplex.engine.envsync.DiffApplier;
import dev.duplex.engine.envsync.DiffEncoder;
import dev.duplex.engine.envsync.DiffExtractor;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.FullWriter;
import dev.duplex.engine.envsync.HalfSizeRule;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.envsync.SyncPath;
import dev.duplex.engine.envsync.SyncWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The diff-or-full sweep: for item sizes × numbers of isolated 8-byte changes, the wall time of
 * applying the diff and of writing the whole info on a real file-backed store (temp file, fsync,
 * rename), each the median of {@code repetitions} runs from the same base; what the calibrated
 * chooser and the half-size rule pick; and their regret (chosen time ÷ faster time).
 *
 * <p>Not JMH: each operation is a real, fsync'ed write of up to 64 MiB, timed whole. Run:
 * {@code java -cp bench/target/duplex-bench.jar dev.duplex.bench.envsync.SyncSweep [sizesMiB] [runs] [repetitions]},
 * e.g. {@code 1,8,64 1,10,100,1000,10000,100000 3}. Prints a Markdown table and writes
 * {@code bench/target/envsync-sweep.csv}.
 */
public final class SyncSweep {
    private SyncSweep() {
    }

    public static void main(String[] args) throws IOException {
        int[] sizesMiB = ints(args.length > 0 ? args[0] : "1,8,64");
        int[] runCounts = ints(args.length > 1 ? args[1] : "1,10,100,1000,10000,100000");
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        // Where the file store lives and the CSV goes; run from anywhere (default: bench/target under the working folder).
        Path out = Files.createDirectories(Path.of(System.getProperty("sweep.dir", "bench/target")));
        Path root = Files.createTempDirectory(out, "envsync-sweep");
        var rows = new ArrayList<String>();
        rows.add("size_mib,runs,diff_bytes,diff_bytes_per_change,entries,pages,diff_ms,full_ms,"
                + "predicted_diff_ms,predicted_full_ms,calibrated_pick,calibrated_regret,half_pick,half_regret");
        System.out.println("| item | changed runs | diff bytes | bytes/change | diff apply ms | full write ms "
                + "| predicted diff / full ms | calibrated pick | regret | half-size pick | regret |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        var random = new Random(2024);
        for (int mib : sizesMiB) {
            int size = mib << 20;
            var store = new FileEnvironmentStore(root.resolve(mib + "MiB"));
            byte[] content = new byte[size];
            random.nextBytes(content);
            EnvironmentSnapshot base = new EnvironmentSnapshot(1, List.of(new EnvironmentItem("settings", content)));
            store.reset(base);
            long calibrationStart = System.nanoTime();
            CostModel model = new Calibration(System::nanoTime, repetitions, List.of(1, 16, 256, 4096, 65536))
                    .measure(store);
            System.err.printf(Locale.ROOT, "calibrated %d MiB in %.1f s: %s%n", mib,
                    (System.nanoTime() - calibrationStart) / 1e9, model.encode());
            for (int runs : runCounts) {
                if ((long) runs * 32 > size) {
                    continue; // isolated 8-byte changes need room between them
                }
                byte[] changed = content.clone();
                int stride = size / runs;
                for (int r = 0; r < runs; r++) {
                    int offset = r * stride + random.nextInt(stride - 8);
                    for (int i = 0; i < 8; i++) {
                        changed[offset + i] = (byte) (changed[offset + i] ^ (1 + random.nextInt(255)));
                    }
                }
                EnvironmentSnapshot target = new EnvironmentSnapshot(2,
                        List.of(new EnvironmentItem("settings", changed)));
                DiffInfo diff = new DiffExtractor().extract(base, target);
                byte[] encoded = new DiffEncoder().encode(diff);
                SyncWorkload workload = SyncWorkload.of(diff, encoded.length);

                double diffMs = median(repetitions, () -> {
                    store.reset(base);
                    long start = System.nanoTime();
                    new DiffApplier().apply(store, diff);
                    return (System.nanoTime() - start) / 1e6;
                });
                double fullMs = median(repetitions, () -> {
                    store.reset(base);
                    long start = System.nanoTime();
                    new FullWriter().write(store, target);
                    return (System.nanoTime() - start) / 1e6;
                });
                double best = Math.min(diffMs, fullMs);
                SyncDecision calibrated = new CostModelChooser(model).choose(workload);
                SyncDecision half = new HalfSizeRule().choose(workload);
                double calibratedRegret = (calibrated.path() == SyncPath.DIFF ? diffMs : fullMs) / best;
                double halfRegret = (half.path() == SyncPath.DIFF ? diffMs : fullMs) / best;
                double predictedDiff = model.diffNanos(workload) / 1e6;
                double predictedFull = model.fullNanos(workload) / 1e6;
                double perChange = (double) encoded.length / runs;
                System.out.printf(Locale.ROOT, "| %d MiB | %d | %d | %.1f | %.1f | %.1f | %.1f / %.1f | %s | %.2f | %s | %.2f |%n",
                        mib, runs, encoded.length, perChange, diffMs, fullMs, predictedDiff, predictedFull,
                        calibrated.path(), calibratedRegret, half.path(), halfRegret);
                rows.add(String.format(Locale.ROOT, "%d,%d,%d,%.2f,%d,%d,%.3f,%.3f,%.3f,%.3f,%s,%.4f,%s,%.4f",
                        mib, runs, encoded.length, perChange, workload.entries(), workload.pagesTouched(), diffMs,
                        fullMs, predictedDiff, predictedFull, calibrated.path(), calibratedRegret, half.path(),
                        halfRegret));
            }
            store.reset(new EnvironmentSnapshot(0, List.of()));
        }
        Path csv = out.resolve("envsync-sweep.csv");
        Files.createDirectories(csv.getParent());
        Files.write(csv, rows);
        System.err.println("wrote " + csv.toAbsolutePath());
    }

    private interface Measurement {
        double millis();
    }

    private static double median(int repetitions, Measurement measurement) {
        double[] samples = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            samples[i] = measurement.millis();
        }
        Arrays.sort(samples);
        return samples[repetitions / 2];
    }

    private static int[] ints(String list) {
        return Arrays.stream(list.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }
}
