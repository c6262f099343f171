package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.BytePatch;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a target store and fits a {@link CostModel} to it (seed: "the time required ... is
 * obtained as a value measured in advance").
 *
 * <p>Every measurement is a real write that leaves the store's content and revision unchanged
 * ({@code newRevision == expectedRevision}, same bytes):
 * <ul>
 *   <li>full writes: an empty update (0 bytes), each item replaced alone when there are several,
 *       all items replaced — a line {@code d + e·bytes} fitted through them;
 *   <li>patches of the largest item with {@code n} 8-byte patches of its own bytes, for each
 *       {@code n} of the entry counts, packed densely (16-byte stride, few pages) and spread
 *       evenly (up to {@code n} pages) — a plane {@code a + b·entries + c·pages} fitted through
 *       them, so per-entry and per-page costs separate.
 * </ul>
 * Each measurement is repeated and the median kept; coefficients come from least squares,
 * clamped at 0. The store must hold at least 16 bytes.
 */
public final class Calibration {
    private static final Logger log = LoggerFactory.getLogger(Calibration.class);

    /** Default entry counts measured (each capped by the item's size). */
    public static final List<Integer> DEFAULT_ENTRY_COUNTS = List.of(1, 4, 16, 64, 256, 1024, 4096, 16384);

    private final LongSupplier nanoClock;
    private final int repetitions;
    private final List<Integer> entryCounts;

    /** Measures with {@link System#nanoTime()}, 3 repetitions, the default counts. */
    public Calibration() {
        this(System::nanoTime, 3, DEFAULT_ENTRY_COUNTS);
    }

    public Calibration(LongSupplier nanoClock, int repetitions, List<Integer> entryCounts) {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        this.entryCounts = List.copyOf(requireNonNull(entryCounts, "entryCounts is null"));
        if (repetitions < 1 || this.entryCounts.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one repetition and one entry count");
        }
        this.repetitions = repetitions;
    }

    /** Measures {@code store} and returns its fitted model. */
    public CostModel measure(EnvironmentStore store) {
        EnvironmentSnapshot snapshot = store.read();
        EnvironmentItem largest = snapshot.items().stream().max(Comparator.comparingInt(EnvironmentItem::size))
                .filter(i -> i.size() >= 16)
                .orElseThrow(() -> new IllegalStateException("cannot calibrate a store without an item of 16 bytes "
                        + "or more; keep the half-size rule for it"));
        long revision = snapshot.revision();

        var fullRows = new ArrayList<double[]>();
        var fullTimes = new ArrayList<Double>();
        fullRows.add(new double[] {1, 0});
        fullTimes.add(time(store, new EnvironmentUpdate(revision, revision, List.of())));
        if (snapshot.items().size() > 1) {
            for (EnvironmentItem item : snapshot.items()) {
                fullRows.add(new double[] {1, item.size()});
                fullTimes.add(time(store, new EnvironmentUpdate(revision, revision, List.of(new ItemChange.Replace(item)))));
            }
        }
        fullRows.add(new double[] {1, snapshot.totalBytes()});
        fullTimes.add(time(store, new EnvironmentUpdate(revision, revision,
                snapshot.items().stream().<ItemChange>map(ItemChange.Replace::new).toList())));
        double[] full = LeastSquares.fitNonNegative(fullRows.toArray(double[][]::new), unbox(fullTimes));

        byte[] content = largest.content();
        var diffRows = new ArrayList<double[]>();
        var diffTimes = new ArrayList<Double>();
        for (int n : entryCounts) {
            if (n < 1 || (long) n * 16 > content.length) {
                continue;
            }
            for (boolean spread : new boolean[] {false, true}) {
                int stride = spread ? (content.length / n) & ~7 : 16;
                var patches = new ArrayList<BytePatch>(n);
                long pages = 0;
                long lastPage = -1;
                for (int i = 0; i < n; i++) {
                    int offset = i * stride;
                    patches.add(new BytePatch(offset, Arrays.copyOfRange(content, offset, offset + 8)));
                    long first = offset / SyncWorkload.PAGE_BYTES;
                    long last = (offset + 7) / SyncWorkload.PAGE_BYTES;
                    pages += last - Math.max(first, lastPage + 1) + 1;
                    lastPage = Math.max(lastPage, last);
                }
                diffRows.add(new double[] {1, n, pages});
                diffTimes.add(time(store, new EnvironmentUpdate(revision, revision,
                        List.of(new ItemChange.Patch(largest.name(), content.length, patches)))));
            }
        }
        double[] diff = LeastSquares.fitNonNegative(diffRows.toArray(double[][]::new), unbox(diffTimes));
        CostModel model = new CostModel(diff[0], diff[1], diff[2], full[0], full[1], 0);
        log.info("Calibrated environment store: {} full-write and {} patch measurements, model {}",
                fullRows.size(), diffRows.size(), model.encode());
        return model;
    }

    private double time(EnvironmentStore store, EnvironmentUpdate update) {
        long[] samples = new long[repetitions];
        for (int r = 0; r < repetitions; r++) {
            long start = nanoClock.getAsLong();
            store.write(update);
            samples[r] = nanoClock.getAsLong() - start;
        }
        Arrays.sort(samples);
        return samples[repetitions / 2];
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
