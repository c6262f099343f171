package dev.duplex.engine.envsync;

import dev.duplex.engine.testing.InMemoryEnvironmentStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.BytePatch;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Calibration recovers known coefficients from a store whose cost is artificial and deterministic. */
class CalibrationTest {
    /** Advances a fake clock by a known cost on every write. */
    private static class CostedStore implements EnvironmentStore {
        final InMemoryEnvironmentStore delegate;
        final CostModel truth;
        long now;

        CostedStore(EnvironmentSnapshot initial, CostModel truth) {
            this.delegate = new InMemoryEnvironmentStore(initial);
            this.truth = truth;
        }

        @Override
        public EnvironmentSnapshot read() {
            return delegate.read();
        }

        @Override
        public void write(EnvironmentUpdate update) {
            long entries = 0;
            var pages = new HashSet<Long>();
            var ranges = new java.util.ArrayList<BytePatch>();
            long bytes = 0;
            boolean patch = false;
            for (ItemChange change : update.changes()) {
                if (change instanceof ItemChange.Patch p) {
                    patch = true;
                    for (BytePatch b : p.patches()) {
                        ranges.add(b);
                        entries += (b.length() + 7) / 8;
                        for (long page = b.offset() / 4096; page <= (b.end() - 1) / 4096; page++) {
                            pages.add(page);
                        }
                    }
                } else if (change instanceof ItemChange.Replace r) {
                    bytes += r.content().size();
                }
            }
            // Separate writes as the local store makes them: ranges less than a page apart are one.
            ranges.sort(java.util.Comparator.comparingLong(BytePatch::offset));
            long spans = 0;
            long lastEnd = Long.MIN_VALUE / 2;
            for (BytePatch b : ranges) {
                spans += b.offset() - lastEnd >= 4096 ? 1 : 0;
                lastEnd = b.end();
            }
            now += Math.round(patch
                    ? truth.diffNanos(new SyncWorkload(0, entries, 0, pages.size(), 0, spans))
                    : truth.fullNanos(new SyncWorkload(0, 0, 0, 0, bytes)));
            delegate.write(update);
        }
    }

    /** A store whose k-th write of each kind (patch or whole) is {@code lateBy(k)} ns late. */
    private static final class SlowAtFirstStore extends CostedStore {
        private final java.util.function.IntToLongFunction lateBy;
        private int patches;
        private int replaces;

        SlowAtFirstStore(EnvironmentSnapshot initial, CostModel truth, java.util.function.IntToLongFunction lateBy) {
            super(initial, truth);
            this.lateBy = lateBy;
        }

        @Override
        public void write(EnvironmentUpdate update) {
            boolean patch = update.changes().stream().anyMatch(c -> c instanceof ItemChange.Patch);
            now += lateBy.applyAsLong(patch ? patches++ : replaces++);
            super.write(update);
        }
    }

    /** A costed store late by {@code lateBy(n)} on its n-th write of any kind; it counts its writes. */
    private static final class LateStore extends CostedStore {
        private final java.util.function.IntToLongFunction lateBy;
        int writes;

        LateStore(EnvironmentSnapshot initial, CostModel truth, java.util.function.IntToLongFunction lateBy) {
            super(initial, truth);
            this.lateBy = lateBy;
        }

        @Override
        public void write(EnvironmentUpdate update) {
            now += lateBy.applyAsLong(writes++);
            super.write(update);
        }
    }

    @Test
    void recoversKnownCoefficients() {
        var truth = new CostModel(800_000, 1_500, 40_000, 3_000_000, 0.75, 0);
        var random = new Random(5);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(9, "settings", Fixtures.random(random, 1 << 20),
                "configuration", Fixtures.random(random, 10_000));
        var store = new CostedStore(snapshot, truth);

        CostModel fitted = new Calibration(() -> store.now, 3, Calibration.DEFAULT_ENTRY_COUNTS).measure(store);

        assertEquals(truth.diffFixedNanos(), fitted.diffFixedNanos(), 10);
        assertEquals(truth.nanosPerEntry(), fitted.nanosPerEntry(), 0.01);
        assertEquals(truth.nanosPerPage(), fitted.nanosPerPage(), 0.01);
        assertEquals(truth.fullFixedNanos(), fitted.fullFixedNanos(), 10);
        assertEquals(truth.nanosPerByte(), fitted.nanosPerByte(), 1e-6);
        assertEquals(Fixtures.bytesOf(snapshot), Fixtures.bytesOf(store.read()), "calibration changes nothing");
    }

    @Test
    void recoversTheCostOfEachSeparateWriteApartFromItsPages() {
        // A store where scattered pages cost a seek each: 10,000 runs a few KiB apart are dearer than
        // 100,000 runs that cover every page in one write.
        var truth = new CostModel(2_000_000, 300, 3_000, 40_000_000, 1.5, 0, List.of(), 0, 12_000);
        var random = new Random(9);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(2, "settings", Fixtures.random(random, 2 << 20));
        var store = new CostedStore(snapshot, truth);

        // Spread evenly, 256 runs are 256 writes of a page each; 16,384 runs cover all 512 pages in one write.
        CostModel fitted = new Calibration(() -> store.now, 3, List.of(1, 16, 256, 4096, 16384)).measure(store);

        assertEquals(truth.nanosPerSpan(), fitted.nanosPerSpan(), 1);
        assertEquals(truth.nanosPerPage(), fitted.nanosPerPage(), 1);
        assertEquals(truth.nanosPerEntry(), fitted.nanosPerEntry(), 0.1);
        assertEquals(truth.diffFixedNanos(), fitted.diffFixedNanos(), 100);
    }

    @Test
    void everyMeasuredWriteChangesTheContentAndTheStoreEndsAsItWas() {
        var random = new Random(6);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(4, "settings", Fixtures.random(random, 1 << 16));
        var inner = new InMemoryEnvironmentStore(snapshot);
        int[] writes = {0};
        int[] unchanged = {0};
        EnvironmentStore watched = new EnvironmentStore() {
            @Override
            public EnvironmentSnapshot read() {
                return inner.read();
            }

            @Override
            public void write(EnvironmentUpdate update) {
                EnvironmentSnapshot before = inner.read();
                inner.write(update);
                writes[0]++;
                unchanged[0] += inner.read().equals(before) ? 1 : 0;
            }
        };

        new Calibration(System::nanoTime, 1, java.util.List.of(1, 64)).measure(watched);

        assertEquals(0, unchanged[0], "no measured write leaves the bytes as they were (of " + writes[0] + ")");
        // Untimed: the first full write and the first diff shape there and back until two rounds agree
        // (from WARM_UPS to MAX_WARM_UPS rounds), then every shape there and back until two rounds agree
        // (2 to MAX_WARM_UPS rounds); 5 diff shapes: 1 and 64 runs packed and spread, and 8 runs two pages
        // apart. Timed: two full writes and five diffs, there and back.
        int everyShape = 2 * 2 + 5 * 2;
        int timed = everyShape;
        assertTrue(writes[0] >= 2 * Calibration.WARM_UPS * 2 + 2 * everyShape + timed
                        && writes[0] <= 2 * Calibration.MAX_WARM_UPS * 2 + Calibration.MAX_WARM_UPS * everyShape
                                + Calibration.MAX_ROUNDS_PER_REPETITION * timed,
                writes[0] + " writes: warm-ups, then two full writes and five diffs there and back");
        assertEquals(snapshot, inner.read());
    }

    @Test
    void theFirstSlowWritesOfAColdStoreDoNotBecomeTheFixedCost() {
        var truth = new CostModel(4_000_000, 1_500, 40_000, 9_000_000, 0.75, 0);
        var random = new Random(7);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(3, "settings", Fixtures.random(random, 1 << 20));
        // A cold store: its first three writes of each kind stall 30 ms (cold cache, first fsyncs),
        // more than a median of 3 can outvote.
        var store = new SlowAtFirstStore(snapshot, truth, k -> k < 3 ? 30_000_000 : 0);

        CostModel fitted = new Calibration(() -> store.now, 3, List.of(1, 16, 256)).measure(store);

        assertEquals(truth.diffFixedNanos(), fitted.diffFixedNanos(), 10, "a 4 ms apply is not measured as 34 ms");
        assertEquals(truth.fullFixedNanos(), fitted.fullFixedNanos(), 10);
    }

    @Test
    void writesThatSpeedUpForAWhileAreWarmedUntilTheyAgree() {
        // A JVM whose calibration is its first work: each kind of write starts interpreted and
        // gets faster write by write (80 ms late, then 40, 20, ...), longer than two rounds.
        var truth = new CostModel(4_000_000, 1_500, 40_000, 9_000_000, 0.75, 0);
        var random = new Random(11);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(3, "settings", Fixtures.random(random, 1 << 20));
        var store = new SlowAtFirstStore(snapshot, truth, k -> k < 20 ? 80_000_000L >> k : 0);

        CostModel fitted = new Calibration(() -> store.now, 3, List.of(1, 16, 256)).measure(store);

        assertEquals(truth.fullFixedNanos(), fitted.fullFixedNanos(), 200_000, "a 9 ms full write is not fitted slower");
        assertEquals(truth.diffFixedNanos(), fitted.diffFixedNanos(), 200_000, "a 4 ms apply is not fitted slower");
    }

    @Test
    void aJvmThatWarmsSlowlyOverEveryShapeIsWarmedUntilTheTypicalShapeIsSteady() {
        // The calibration as the JVM's first work (duplex env calibrate): every write is late, less
        // and less, over a hundred writes of any kind; two writes of one shape agree long before
        // the code every other shape runs is warm.
        var truth = new CostModel(4_000_000, 1_500, 40_000, 9_000_000, 0.75, 0);
        var random = new Random(17);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(3, "settings", Fixtures.random(random, 1 << 20));
        var store = new LateStore(snapshot, truth, k -> Math.round(30_000_000 * Math.pow(0.97, k)));

        CostModel fitted = new Calibration(() -> store.now, 3, List.of(1, 16, 256)).measure(store);

        assertEquals(truth.diffFixedNanos(), fitted.diffFixedNanos(), 1_500_000, "a 4 ms apply is not fitted slower");
        assertEquals(truth.fullFixedNanos(), fitted.fullFixedNanos(), 1_500_000, "a 9 ms full write is not fitted slower");
    }

    @Test
    void roundsInASlowEpisodeAreTimedAgainUntilFiveAreUndisturbed() {
        // Seen on a shared disk: every write of a small store 35 ms late for four rounds on end,
        // then on time; a median, or any quantile of five rounds, would be late.
        var truth = new CostModel(4_000_000, 1_500, 40_000, 9_000_000, 0.75, 0);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(3, "settings", Fixtures.random(new Random(23), 1 << 20));
        List<Integer> counts = List.of(1, 16, 256);
        int perRound = writesOf(snapshot, truth, counts, 2) - writesOf(snapshot, truth, counts, 1);
        int untimed = writesOf(snapshot, truth, counts, 1) - perRound;
        var store = new LateStore(snapshot, truth, i -> i >= untimed && i < untimed + 4 * perRound ? 35_000_000 : 0);

        CostModel fitted = new Calibration(() -> store.now, 5, counts).measure(store);

        assertEquals(truth.diffFixedNanos(), fitted.diffFixedNanos(), 100_000, "a 4 ms apply is not fitted at 39 ms");
        assertEquals(truth.fullFixedNanos(), fitted.fullFixedNanos(), 100_000);
        assertEquals(untimed + 9 * perRound, store.writes, "four late rounds and five on time");
    }

    /** All the writes a calibration of a steady store with {@code repetitions} makes. */
    private static int writesOf(EnvironmentSnapshot snapshot, CostModel truth, List<Integer> counts, int repetitions) {
        var store = new LateStore(snapshot, truth, k -> 0);
        new Calibration(() -> store.now, repetitions, counts).measure(store);
        return store.writes;
    }

    @Test
    void aStoreStillSlowAfterTheWarmUpsSlowsNeitherKindOfWriteMoreThanTheOther() {
        // Slow for its first 16 writes of any kind: longer than the two warm-up rounds of full writes
        // agree on (both slow), so written all at once, the full writes' timed runs would all be slow.
        var truth = new CostModel(4_000_000, 1_500, 40_000, 9_000_000, 0.75, 0);
        var random = new Random(13);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(3, "settings", Fixtures.random(random, 1 << 20));
        var store = new LateStore(snapshot, truth, k -> k < 16 ? 30_000_000 : 0);

        CostModel fitted = new Calibration(() -> store.now, 3, List.of(1, 16, 256)).measure(store);

        assertEquals(truth.fullFixedNanos(), fitted.fullFixedNanos(), 200_000, "a 9 ms full write is not fitted at 39 ms");
        assertEquals(truth.diffFixedNanos(), fitted.diffFixedNanos(), 200_000);
    }

    @Test
    void measuresAsManySeparateWritesAsTheItemHoldsTwoPagesApart() {
        // Measured at 1, 16 and 256 runs, a 4 MiB item has only two shapes of separate writes, too
        // few to tell a seek from a page on a real disk; 512 runs two pages apart is the most it holds.
        var random = new Random(12);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(2, "settings", Fixtures.random(random, 4 << 20));
        var inner = new InMemoryEnvironmentStore(snapshot);
        var patchShapes = new java.util.ArrayList<List<BytePatch>>();
        EnvironmentStore watched = new EnvironmentStore() {
            @Override
            public EnvironmentSnapshot read() {
                return inner.read();
            }

            @Override
            public void write(EnvironmentUpdate update) {
                for (ItemChange change : update.changes()) {
                    if (change instanceof ItemChange.Patch p) {
                        patchShapes.add(p.patches());
                    }
                }
                inner.write(update);
            }
        };

        new Calibration(System::nanoTime, 1, List.of(1, 16, 256)).measure(watched);

        assertTrue(patchShapes.stream().anyMatch(patches -> patches.size() == 512
                        && java.util.stream.IntStream.range(1, 512)
                                .allMatch(i -> patches.get(i).offset() - patches.get(i - 1).offset() == 8192)),
                "a diff of 512 runs 8 KiB apart was measured");
        assertEquals(snapshot, inner.read());
    }

    @Test
    void theSpreadOfRepeatedMeasurementsBecomesTheNoiseFloor() {
        var truth = new CostModel(4_000_000, 1_500, 40_000, 9_000_000, 0.75, 0);
        var random = new Random(8);
        EnvironmentSnapshot snapshot = Fixtures.snapshot(3, "settings", Fixtures.random(random, 1 << 20));
        var store = new CostedStore(snapshot, truth) {
            final Random busyDisk = new Random(80);

            @Override
            public void write(EnvironmentUpdate update) {
                // Every write is 0, 1 or 2 ms late at random, as on a busy disk.
                now += busyDisk.nextInt(3) * 1_000_000L;
                super.write(update);
            }
        };

        CostModel fitted = new Calibration(() -> store.now, 5, List.of(1, 16, 256)).measure(store);

        assertTrue(fitted.noiseNanos() >= 1_000_000 && fitted.noiseNanos() <= 2_000_000,
                "noise floor " + fitted.noiseNanos() + " ns is the writes' spread");
        assertEquals(truth.diffFixedNanos(), fitted.diffFixedNanos(), 2_000_000);
        assertEquals(0, new CostModel(1, 1, 1, 1, 1, 0).noiseNanos(), "a model without calibration has no floor");
    }
}
