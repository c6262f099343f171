package dev.duplex.bench.envsync;

import dev.duplex.api.BytePatch;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.engine.envsync.Calibration;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.envsync.CostModelChooser;
import dev.duplex.engine.envsync.DiffApplier;
import dev.duplex.engine.envsync.DiffEncoder;
import dev.duplex.engine.envsync.DiffExtractor;
import dev.duplex.engine.envsync.DiffHeader;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.FullWriter;
import dev.duplex.engine.envsync.HalfSizeRule;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.envsync.SyncPath;
import dev.duplex.engine.envsync.SyncWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The diff-or-full sweep on the local driver's real environment store (a VM made for it; diffs
 * are patched in place through the store's redo journal, full writes build a new generation):
 * for item sizes × numbers of isolated 8-byte changes, the wall time of {@link DiffApplier}
 * and of {@link FullWriter} as a failover runs them (reads, checks, write, verification), each
 * the median of {@code repetitions} runs from the same base; what the calibrated chooser and the
 * half-size rule pick; and their regret (chosen time ÷ faster time).
 *
 * <p>Per item size the store is calibrated once ({@link Calibration}, real content changes), then
 * the cases run in order and each measured sync of the path the chooser picked is fed back to the
 * model ({@link CostModel#observe}), as failover does; the pick of a case is made before it is
 * measured. Last, one changed run on the largest item is timed at the store alone: a
 * {@code Patch} write against a {@code Replace} of the whole item.
 *
 * <p>Not JMH: each operation is a real, fsync'ed write of up to 64 MiB, timed whole. Run:
 * {@code java -cp bench/target/duplex-bench.jar dev.duplex.bench.envsync.SyncSweep [sizesMiB] [runs] [repetitions]},
 * e.g. {@code 1,8,64 1,10,100,1000,10000,100000 5}. Prints a Markdown table and the summary
 * lines, and writes {@code bench/target/envsync-sweep.csv}.
 */
public final class SyncSweep {
    private static final double GOOD_REGRET = 1.10;

    private final EnvironmentStore store;
    private final int repetitions;
    private final DiffApplier applier = new DiffApplier();
    private final FullWriter fullWriter = new FullWriter();
    private long revision;
    /** The content the store holds now (the base or a case's target). */
    private EnvironmentSnapshot held;

    private SyncSweep(EnvironmentStore store, int repetitions) {
        this.store = store;
        this.repetitions = repetitions;
    }

    public static void main(String[] args) throws IOException {
        int[] sizesMiB = ints(args.length > 0 ? args[0] : "1,8,64");
        int[] runCounts = ints(args.length > 1 ? args[1] : "1,10,100,1000,10000,100000");
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        // Where the store lives and the CSV goes; run from anywhere (default: bench/target under the working folder).
        Path out = Files.createDirectories(Path.of(System.getProperty("sweep.dir", "bench/target")));
        Path root = Files.createTempDirectory(out, "envsync-sweep");
        var rows = new ArrayList<String>();
        rows.add("size_mib,runs,diff_bytes,diff_bytes_per_change,entries,pages,diff_ms,full_ms,"
                + "predicted_diff_ms,predicted_full_ms,calibrated_pick,calibrated_regret,half_pick,half_regret");
        System.out.println("| item | changed runs | diff bytes | diff apply ms | full write ms "
                + "| predicted diff / full ms | pick | regret | half-size pick | regret |");
        System.out.println("|---|---:|---:|---:|---:|---|---|---:|---|---:|");
        var random = new Random(2024);
        int cases = 0;
        int good = 0;
        int halfGood = 0;
        double regretSum = 0;
        String oneRun = "";
        for (int mib : sizesMiB) {
            int size = mib << 20;
            try (LocalStandby standby = LocalStandby.create(root.resolve(mib + "MiB"), "sweep-" + mib)) {
                var sweep = new SyncSweep(standby.environment(), repetitions);
                byte[] content = new byte[size];
                random.nextBytes(content);
                sweep.writeWhole(content);
                long calibrationStart = System.nanoTime();
                CostModel model = new Calibration(System::nanoTime, repetitions, List.of(1, 16, 256, 4096, 65536))
                        .measure(sweep.store);
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
                    Case measured = sweep.measure(content, changed);
                    SyncWorkload workload = measured.workload();
                    SyncDecision calibrated = new CostModelChooser(model).choose(workload);
                    SyncDecision half = new HalfSizeRule().choose(workload);
                    double best = Math.min(measured.diffMs(), measured.fullMs());
                    double pickedMs = calibrated.path() == SyncPath.DIFF ? measured.diffMs() : measured.fullMs();
                    double calibratedRegret = pickedMs / best;
                    double halfRegret = (half.path() == SyncPath.DIFF ? measured.diffMs() : measured.fullMs()) / best;
                    double predictedDiff = model.diffNanos(workload) / 1e6;
                    double predictedFull = model.fullNanos(workload) / 1e6;
                    // What failover does after its sync: the measured time of the path taken corrects the model.
                    model = model.observe(calibrated.path(), workload, Duration.ofNanos(Math.round(pickedMs * 1e6)));
                    cases++;
                    good += calibratedRegret <= GOOD_REGRET ? 1 : 0;
                    halfGood += halfRegret <= GOOD_REGRET ? 1 : 0;
                    regretSum += calibratedRegret;
                    System.out.printf(Locale.ROOT, "| %d MiB | %d | %d | %.1f | %.1f | %.1f / %.1f | %s | %.2f | %s | %.2f |%n",
                            mib, runs, measured.diffBytes(), measured.diffMs(), measured.fullMs(), predictedDiff,
                            predictedFull, calibrated.path(), calibratedRegret, half.path(), halfRegret);
                    rows.add(String.format(Locale.ROOT, "%d,%d,%d,%.2f,%d,%d,%.3f,%.3f,%.3f,%.3f,%s,%.4f,%s,%.4f",
                            mib, runs, measured.diffBytes(), (double) measured.diffBytes() / runs, workload.entries(),
                            workload.pagesTouched(), measured.diffMs(), measured.fullMs(), predictedDiff, predictedFull,
                            calibrated.path(), calibratedRegret, half.path(), halfRegret));
                }
                if (mib == Arrays.stream(sizesMiB).max().orElseThrow()) {
                    oneRun = sweep.oneChangedRun(content, mib);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nregret ≤ %.2f in %d of %d cases (%.0f %%), mean %.2f; half-size rule: %d of %d%n",
                GOOD_REGRET, good, cases, 100.0 * good / Math.max(1, cases), regretSum / Math.max(1, cases), halfGood,
                cases);
        System.out.println(oneRun);
        Path csv = out.resolve("envsync-sweep.csv");
        Files.write(csv, rows);
        System.err.println("wrote " + csv.toAbsolutePath());
    }

    /** One case's measurements: medians of the diff apply and of the full write, both from the base. */
    private record Case(SyncWorkload workload, int diffBytes, double diffMs, double fullMs) {}

    private Case measure(byte[] base, byte[] target) {
        var baseInfo = new EnvironmentSnapshot(1, List.of(new EnvironmentItem("settings", base)));
        var targetInfo = new EnvironmentSnapshot(2, List.of(new EnvironmentItem("settings", target)));
        DiffInfo forward = new DiffExtractor().extract(baseInfo, targetInfo);
        DiffInfo backward = new DiffExtractor().extract(targetInfo, new EnvironmentSnapshot(3, baseInfo.items()));
        byte[] encoded = new DiffEncoder().encode(forward);
        SyncWorkload workload = SyncWorkload.of(forward, encoded.length);
        // The two paths' runs alternate, so a stall of the disk (seen: one case's full writes at 275 ms
        // against 179-184 ms in every other case) falls on both sides of the comparison alike.
        Medians medians = medians(() -> {
            restore(baseInfo, backward);
            long start = System.nanoTime();
            applier.apply(store, rebased(forward));
            return done(targetInfo, start);
        }, () -> {
            restore(baseInfo, backward);
            long start = System.nanoTime();
            fullWriter.write(store, new EnvironmentSnapshot(revision + 1, targetInfo.items()));
            return done(targetInfo, start);
        });
        double diffMs = medians.first();
        double fullMs = medians.second();
        restore(baseInfo, backward);
        return new Case(workload, encoded.length, diffMs, fullMs);
    }

    /** Brings the store back to {@code base} by the reverse diff (cheap), at the next revision. */
    private void restore(EnvironmentSnapshot base, DiffInfo backward) {
        if (held != base && !held.items().equals(base.items())) {
            applier.apply(store, rebased(backward));
            revision++;
        }
        held = base;
    }

    private double done(EnvironmentSnapshot target, long start) {
        double millis = (System.nanoTime() - start) / 1e6;
        revision++;
        held = target;
        return millis;
    }

    /** {@code diff} from the store's revision to the next one (its items and checksums unchanged). */
    private DiffInfo rebased(DiffInfo diff) {
        return new DiffInfo(DiffHeader.of(revision, revision + 1), diff.items());
    }

    private void writeWhole(byte[] content) {
        held = new EnvironmentSnapshot(revision + 1, List.of(new EnvironmentItem("settings", content)));
        fullWriter.write(store, held);
        revision++;
    }

    /** The figure: one changed 8-byte run on the largest item, patched vs written whole, at the store alone. */
    private String oneChangedRun(byte[] content, int mib) {
        int offset = content.length / 3;
        double patchMs = median(() -> {
            byte[] bytes = Arrays.copyOfRange(content, offset, offset + 8);
            bytes[0] ^= (byte) (revision | 1);
            long start = System.nanoTime();
            store.write(new EnvironmentUpdate(revision, revision + 1, List.of(
                    new ItemChange.Patch("settings", content.length, List.of(new BytePatch(offset, bytes))))));
            revision++;
            return (System.nanoTime() - start) / 1e6;
        });
        double fullMs = median(() -> {
            long start = System.nanoTime();
            store.write(new EnvironmentUpdate(revision, revision + 1, List.of(
                    new ItemChange.Replace(new EnvironmentItem("settings", content)))));
            revision++;
            return (System.nanoTime() - start) / 1e6;
        });
        return String.format(Locale.ROOT, "one changed run on %d MiB, local store write: patch apply %.1f ms vs full "
                + "write %.1f ms (%.1f %% of it)", mib, patchMs, fullMs, 100 * patchMs / fullMs);
    }

    private interface Measurement {
        double millis();
    }

    private record Medians(double first, double second) {}

    /** The median of each measurement, their runs taken in turn: first, second, first, ... */
    private Medians medians(Measurement first, Measurement second) {
        double[] a = new double[repetitions];
        double[] b = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            a[i] = first.millis();
            b[i] = second.millis();
        }
        Arrays.sort(a);
        Arrays.sort(b);
        return new Medians(a[repetitions / 2], b[repetitions / 2]);
    }

    private double median(Measurement measurement) {
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
