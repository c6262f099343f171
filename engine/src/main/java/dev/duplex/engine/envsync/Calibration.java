package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a target store and fits a {@link CostModel} to it (seed: "the time required ... is
 * obtained as a value measured in advance").
 *
 * <p>Every measurement is what a failover does, timed the way {@link EnvironmentSync} times it:
 * a {@link FullWriter} write or a {@link DiffApplier} apply with its reads, checks and
 * verification, carrying a real change of content (a store may skip or shortcut a write of the
 * bytes it already holds, so unchanged bytes would measure nothing real). Each change is undone
 * by the reverse write, which is measured too, so the store ends with its own content and
 * revision (both writes go from its revision to the same revision):
 * <ul>
 *   <li>full writes of the whole info with every byte changed, and of the info cut to half its
 *       length — a line {@code d + e·bytes} fitted through them;
 *   <li>diffs of the largest item with {@code n} changed 8-byte runs, for each {@code n} of the
 *       entry counts, packed densely (16-byte stride, few pages, one span) and spread evenly (up
 *       to {@code n} pages, as {@code n} separate writes while they are a page or more apart, one
 *       write of every page once they are closer) — a plane {@code a + b·entries + c·pages + d·spans}
 *       fitted through them, so per-entry, per-page and per-seek costs separate; and as many runs
 *       as the item holds two pages apart, the most separate writes it allows.
 * </ul>
 * Before anything is timed, each kind of write runs untimed until two rounds agree (at least
 * {@value #WARM_UPS}, at most {@value #MAX_WARM_UPS} rounds), then every shape, round after round, until
 * the typical shape's time is steady (within {@value #STEADY_PERCENT} %): the
 * first writes to a store pay for cold caches, journal files being created and first fsyncs, and
 * the first applies of a new JVM run interpreted code, none of which a failover later pays again
 * (measured: a 32 ms "fixed cost" on a store whose small applies take 4 ms, from a calibration
 * that was the JVM's first work). The timed writes then go round every shape, full writes and
 * diffs alike, once per round, so whatever still drifts falls on all shapes alike.
 * Timed rounds go on until {@code repetitions} of them are undisturbed (at most
 * {@value #DISTURBED_PERCENT} % slower than the fastest; at most {@value #MAX_ROUNDS_PER_REPETITION}
 * times as many rounds in all); each shape's median over the fastest {@code repetitions} is kept.
 * Coefficients come from least squares on relative errors (each row weighted by 1 / its time, so the 1-entry diff's few
 * milliseconds fix the fixed cost as much as the 16384-entry diff's hundreds fix the slope),
 * clamped at 0. The median spread between a measurement's repetitions becomes the model's noise
 * floor. The store must hold at least 16 bytes. If a write fails midway, the store's own
 * info is written back whole before the failure is passed on.
 */
public final class Calibration {
    private static final Logger log = LoggerFactory.getLogger(Calibration.class);

    /** Default entry counts measured (each capped by the item's size). */
    public static final List<Integer> DEFAULT_ENTRY_COUNTS = List.of(1, 4, 16, 64, 256, 1024, 4096, 16384);
    /** Untimed rounds of each kind of write before the timed ones. */
    public static final int WARM_UPS = 2;
    /** The most untimed rounds of one kind of write, for a store whose times never settle. */
    public static final int MAX_WARM_UPS = 12;
    /** How close two untimed rounds of every shape must be, for the typical shape, before timing starts. */
    public static final int STEADY_PERCENT = 10;
    /** A timed round counts if it took at most this many percent more than the fastest round. */
    public static final int DISTURBED_PERCENT = 25;
    /**
     * The most timed rounds, as a multiple of the repetitions: a store under load for good would
     * otherwise be timed for minutes (seen: 18 rounds, 258 s, for 64 MiB at a load average of 11).
     */
    public static final int MAX_ROUNDS_PER_REPETITION = 2;

    private final LongSupplier nanoClock;
    private final int repetitions;
    private final List<Integer> entryCounts;
    private final DiffExtractor extractor = new DiffExtractor();
    private final DiffApplier applier = new DiffApplier();
    private final FullWriter fullWriter = new FullWriter();

    /** Measures with {@link System#nanoTime()}, 5 repetitions, the default counts. */
    public Calibration() {
        this(System::nanoTime, 5, DEFAULT_ENTRY_COUNTS);
    }

    public Calibration(LongSupplier nanoClock, int repetitions, List<Integer> entryCounts) {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        this.entryCounts = List.copyOf(requireNonNull(entryCounts, "entryCounts is null"));
        if (repetitions < 1 || this.entryCounts.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one repetition and one entry count");
        }
        this.repetitions = repetitions;
    }

    /** Measures {@code store} and returns its fitted model; the store keeps its content and revision. */
    public CostModel measure(EnvironmentStore store) {
        EnvironmentSnapshot original = store.read();
        EnvironmentItem largest = original.items().stream().max(Comparator.comparingInt(EnvironmentItem::size))
                .filter(i -> i.size() >= 16)
                .orElseThrow(() -> new IllegalStateException("cannot calibrate a store without an item of 16 bytes "
                        + "or more; keep the half-size rule for it"));
        try {
            return fit(store, original, largest);
        } catch (RuntimeException e) {
            try {
                if (!store.read().equals(original)) {
                    fullWriter.write(store, original);
                }
            } catch (RuntimeException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
    }

    /**
     * One measured change: a write that changes the store's content and the write that undoes it,
     * each with the row of the model it measures.
     */
    private record Shape(boolean full, Runnable there, Runnable back, double[] thereRow, double[] backRow) {
        /** The change and its undo: the store ends as it was. */
        void round() {
            there.run();
            back.run();
        }
    }

    private CostModel fit(EnvironmentStore store, EnvironmentSnapshot original, EnvironmentItem largest) {
        long revision = original.revision();
        var shapes = new ArrayList<Shape>();
        for (EnvironmentSnapshot changed : List.of(
                transformed(original, content -> invert(content, content.length)),
                transformed(original, content -> invert(content, content.length / 2)))) {
            shapes.add(new Shape(true, () -> fullWriter.write(store, changed), () -> fullWriter.write(store, original),
                    new double[] {1, changed.totalBytes()}, new double[] {1, original.totalBytes()}));
        }
        byte[] content = largest.content();
        var diffShapes = new ArrayList<int[]>();
        for (int n : entryCounts) {
            if (n < 1 || (long) n * 16 > content.length) {
                continue;
            }
            diffShapes.add(new int[] {n, 16});
            diffShapes.add(new int[] {n, (content.length / n) & ~7});
        }
        // As many runs as fit two pages apart: the most separate writes the item allows, so the
        // per-write (seek) cost is told from the per-page cost even where the spread shapes of
        // the counts measured give only one or two rows with many separate writes.
        int farApart = content.length / (2 * SyncWorkload.PAGE_BYTES);
        if (farApart > 1) {
            diffShapes.add(new int[] {farApart, 2 * SyncWorkload.PAGE_BYTES});
        }
        for (int[] shape : diffShapes) {
            int n = shape[0];
            int stride = shape[1];
            byte[] changedContent = content.clone();
            for (int i = 0; i < n; i++) {
                int offset = i * stride;
                for (int b = offset; b < offset + 8; b++) {
                    changedContent[b] = (byte) ~changedContent[b];
                }
            }
            EnvironmentSnapshot changed = withItem(original, largest.name(), changedContent);
            DiffInfo there = extractor.extract(original, changed);
            DiffInfo back = extractor.extract(changed, original);
            shapes.add(new Shape(false, () -> applier.apply(store, there), () -> applier.apply(store, back),
                    diffRow(SyncWorkload.of(there, 0)), diffRow(SyncWorkload.of(back, 0))));
        }

        // Warm both kinds before either is timed, then time every shape once per round, round after
        // round: a store or a JVM still getting faster slows each shape's first round alike, which
        // the median drops, instead of the whole of whichever kind happened to be measured first
        // (seen: 1 MiB full writes measured as the JVM's first work fitted at 23-52 ms against 7 ms).
        Shape firstDiff = shapes.stream().filter(shape -> !shape.full()).findFirst().orElseThrow();
        warmUntilSteady(shapes.get(0)::round);
        warmUntilSteady(firstDiff::round);
        warmEveryShapeUntilSteady(shapes);
        // Rounds go on until `repetitions` of them took at most DISTURBED_PERCENT more than the
        // fastest: a shared disk's slow episodes last seconds (seen: every write of a 1 MiB store at
        // 38 ms for four rounds on end, 5-10 ms in the next, with the JIT off as well as on), long
        // enough to cover every round of a small store; only the undisturbed rounds are kept.
        var rounds = new ArrayList<TimedRound>();
        while (undisturbed(rounds).size() < repetitions && rounds.size() < MAX_ROUNDS_PER_REPETITION * repetitions) {
            long[] there = new long[shapes.size()];
            long[] back = new long[shapes.size()];
            for (int i = 0; i < shapes.size(); i++) {
                there[i] = timed(shapes.get(i).there());
                back[i] = timed(shapes.get(i).back());
            }
            rounds.add(new TimedRound(there, back));
        }
        // The fastest `repetitions` rounds: the undisturbed ones, or the least disturbed if the
        // store never settled within the rounds allowed.
        List<TimedRound> kept = rounds.stream().sorted(Comparator.comparingLong(TimedRound::total))
                .limit(repetitions).toList();
        if (rounds.size() > repetitions) {
            log.info("Calibration kept the {} fastest of {} timed rounds; {} took at most {} % longer than the fastest",
                    kept.size(), rounds.size(), undisturbed(rounds).size(), DISTURBED_PERCENT);
        }
        long[][] thereTimes = byShape(kept, TimedRound::there, shapes.size());
        long[][] backTimes = byShape(kept, TimedRound::back, shapes.size());

        var spreads = new ArrayList<Double>();
        var fullRows = new ArrayList<double[]>();
        var fullTimes = new ArrayList<Double>();
        var diffRows = new ArrayList<double[]>();
        var diffTimes = new ArrayList<Double>();
        for (int i = 0; i < shapes.size(); i++) {
            Shape shape = shapes.get(i);
            var rows = shape.full() ? fullRows : diffRows;
            var times = shape.full() ? fullTimes : diffTimes;
            rows.add(shape.thereRow());
            times.add(median(thereTimes[i]));
            rows.add(shape.backRow());
            times.add(median(backTimes[i]));
            spreads.add(spread(thereTimes[i]));
            spreads.add(spread(backTimes[i]));
            if (!shape.full()) {
                log.debug("Calibration diff: row {}: median {} ns", Arrays.toString(shape.thereRow()),
                        median(thereTimes[i]));
            }
        }
        double[] full = fitRelative(fullRows, fullTimes);
        double[] diff = fitRelative(diffRows, diffTimes);
        double noise = spreads.stream().mapToDouble(Double::doubleValue).sorted().toArray()[spreads.size() / 2];
        CostModel model = new CostModel(diff[0], diff[1], diff[2], full[0], full[1], 0, List.of(), noise, diff[3]);
        log.info("Calibrated environment store at revision {}: {} full-write and {} diff measurements, model {}",
                revision, fullRows.size(), diffRows.size(), model.encode());
        return model;
    }

    /** One timed round: every shape's change and undo. */
    private record TimedRound(long[] there, long[] back) {
        long total() {
            return Arrays.stream(there).sum() + Arrays.stream(back).sum();
        }
    }

    /** The rounds that took at most {@value #DISTURBED_PERCENT} % more than the fastest. */
    private static List<TimedRound> undisturbed(List<TimedRound> rounds) {
        long fastest = rounds.stream().mapToLong(TimedRound::total).min().orElse(0);
        return rounds.stream().filter(r -> r.total() <= fastest + fastest * DISTURBED_PERCENT / 100).toList();
    }

    /** Rounds of every shape's time turned into every shape's times. */
    private static long[][] byShape(List<TimedRound> rounds, Function<TimedRound, long[]> side,
            int shapes) {
        long[][] times = new long[shapes][rounds.size()];
        for (int r = 0; r < rounds.size(); r++) {
            for (int i = 0; i < shapes; i++) {
                times[i][r] = side.apply(rounds.get(r))[i];
            }
        }
        return times;
    }

    private static double[] diffRow(SyncWorkload workload) {
        return new double[] {1, workload.entries(), workload.pagesTouched(), workload.spans()};
    }

    /**
     * Least squares on relative errors: each row and its time divided by the time. Plain least
     * squares would let the big measurements' noise (milliseconds) swamp the small ones entirely,
     * and the small ones are the decisions that matter near the threshold.
     */
    private static double[] fitRelative(List<double[]> rows, List<Double> times) {
        double[][] weighted = new double[rows.size()][];
        double[] ones = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            double t = Math.max(1, times.get(i));
            weighted[i] = Arrays.stream(rows.get(i)).map(v -> v / t).toArray();
            ones[i] = times.get(i) / t;
        }
        return LeastSquares.fitNonNegative(weighted, ones);
    }

    /** The distance between the upper and the lower quartile of the samples (0 for fewer than 3). */
    private static double spread(long[] samples) {
        if (samples.length < 3) {
            return 0;
        }
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[(3 * sorted.length) / 4] - sorted[sorted.length / 4];
    }

    /**
     * Runs {@code round} untimed at least {@value #WARM_UPS} times and until two rounds in a row
     * take times within a quarter of each other (at most {@value #MAX_WARM_UPS} rounds): a fixed
     * number was too few when the calibration is the JVM's first work (full writes of 1 MiB
     * fitted at 43 ms against 7 ms measured later in the same process).
     */
    private void warmUntilSteady(Runnable round) {
        long previous = -1;
        for (int w = 0; w < MAX_WARM_UPS; w++) {
            long took = timed(round);
            if (w + 1 >= WARM_UPS && previous > 0 && Math.abs(took - previous) <= previous / 4) {
                return;
            }
            previous = took;
        }
    }

    /**
     * Runs every shape untimed, round after round, until the typical shape (the median of their
     * changes) took within {@value #STEADY_PERCENT} % of its time the round before (at least two
     * rounds, at most {@value #MAX_WARM_UPS}). Warming only the first shape of each kind left the
     * others' code cold: a 1 MiB calibration that was the JVM's first work (as in {@code duplex env
     * calibrate}) fitted a 35 ms diff fixed cost and an 18 ms full-write one, where the same store
     * then applied diffs in 3.5-10 ms and wrote in 6-7 ms, and the chooser took the slower path.
     */
    private void warmEveryShapeUntilSteady(List<Shape> shapes) {
        long[] previous = null;
        for (int w = 0; w < MAX_WARM_UPS; w++) {
            long[] took = new long[shapes.size()];
            for (int i = 0; i < took.length; i++) {
                took[i] = timed(shapes.get(i)::round);
            }
            if (previous != null && typicalChange(previous, took) <= STEADY_PERCENT / 100.0) {
                return;
            }
            previous = took;
        }
    }

    /** The median over shapes of |this round ÷ the round before − 1|. */
    private static double typicalChange(long[] before, long[] now) {
        double[] changes = new double[now.length];
        for (int i = 0; i < now.length; i++) {
            changes[i] = Math.abs((double) now[i] / Math.max(1, before[i]) - 1);
        }
        Arrays.sort(changes);
        return changes[changes.length / 2];
    }

    private long timed(Runnable write) {
        long start = nanoClock.getAsLong();
        write.run();
        return nanoClock.getAsLong() - start;
    }

    /** The snapshot with every item's content transformed, at the same revision. */
    private static EnvironmentSnapshot transformed(EnvironmentSnapshot snapshot, UnaryOperator<byte[]> change) {
        return new EnvironmentSnapshot(snapshot.revision(), snapshot.items().stream()
                .map(i -> new EnvironmentItem(i.name(), change.apply(i.content()))).toList());
    }

    private static EnvironmentSnapshot withItem(EnvironmentSnapshot snapshot, String name, byte[] content) {
        return new EnvironmentSnapshot(snapshot.revision(), snapshot.items().stream()
                .map(i -> i.name().equals(name) ? new EnvironmentItem(name, content) : i).toList());
    }

    /** The first {@code length} bytes of {@code content}, each inverted (so every byte differs). */
    private static byte[] invert(byte[] content, int length) {
        byte[] result = new byte[length];
        for (int i = 0; i < length; i++) {
            result[i] = (byte) ~content[i];
        }
        return result;
    }

    private static double median(long[] samples) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

}
