package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DiffExtractorTest {
    @Test
    void equalItemsHaveNoRuns() {
        byte[] bytes = Fixtures.random(new Random(1), 1000);
        assertEquals(List.of(), DiffExtractor.changedRuns(bytes, bytes.clone()));
    }

    @Test
    void findsExactByteBoundariesInsideWords() {
        byte[] before = new byte[64];
        byte[] after = before.clone();
        after[3] = 1;
        after[4] = 1;
        after[7] = 1;
        after[8] = 1;
        after[20] = 1;
        after[63] = 1;
        assertEquals(List.of(new ChangedRun(3, 2), new ChangedRun(7, 2), new ChangedRun(20, 1), new ChangedRun(63, 1)),
                DiffExtractor.changedRuns(before, after));
    }

    @Test
    void matchesByteByByteReferenceOnRandomInputs() {
        var random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] before = Fixtures.random(random, random.nextInt(100));
            byte[] after = Fixtures.mutate(random, before, random.nextInt(6), 20);
            if (random.nextBoolean()) {
                after = java.util.Arrays.copyOf(after, random.nextInt(120));
            }
            assertEquals(reference(before, after), DiffExtractor.changedRuns(before, after),
                    () -> "before " + java.util.HexFormat.of().formatHex(before));
        }
    }

    @Test
    void grownTailCostsOnlyItsNonZeroBytes() {
        byte[] before = new byte[10];
        byte[] after = new byte[40];
        after[30] = 7;
        assertEquals(List.of(new ChangedRun(30, 1)), DiffExtractor.changedRuns(before, after));
    }

    @Test
    void mergesRunsWhenTheMergedRunTakesNoMoreEntries() {
        // 1 + 6 gap + 1 = 8 bytes: one DATA entry instead of two
        assertTrue(RunMerger.worthMerging(new ChangedRun(0, 1), new ChangedRun(7, 1)));
        // 8 + 1 gap + 8 = 17 bytes: three entries instead of two
        assertFalse(RunMerger.worthMerging(new ChangedRun(0, 8), new ChangedRun(9, 8)));
        // 4 + 4 gap + 4 = 12 bytes: two entries either way; merge saves a patch
        assertTrue(RunMerger.worthMerging(new ChangedRun(0, 4), new ChangedRun(8, 4)));
        // gaps of 16 or more never merge
        assertFalse(RunMerger.worthMerging(new ChangedRun(0, 1), new ChangedRun(17, 1)));
        assertEquals(List.of(new ChangedRun(0, 12), new ChangedRun(40, 1)),
                new RunMerger().merge(List.of(new ChangedRun(0, 1), new ChangedRun(5, 2), new ChangedRun(11, 1),
                        new ChangedRun(40, 1))));
    }

    @Test
    void removedItemGetsAMarkerAndAddedItemItsContent() {
        DiffInfo diff = new DiffExtractor().extract(
                Fixtures.snapshot(1, "settings", new byte[] {1, 2, 3}),
                Fixtures.snapshot(2, "configuration", new byte[] {0, 0, 9}));
        assertEquals(ItemDiff.Change.ADDED, diff.item("configuration").orElseThrow().change());
        assertEquals(List.of(DiffEntry.data(2, new byte[] {9})), diff.item("configuration").orElseThrow().entries());
        ItemDiff removed = diff.item("settings").orElseThrow();
        assertEquals(ItemDiff.Change.REMOVED, removed.change());
        assertEquals(3, removed.lengthBefore());
        assertEquals(List.of(), removed.entries());
    }

    private static List<ChangedRun> reference(byte[] before, byte[] after) {
        var runs = new ArrayList<ChangedRun>();
        int start = -1;
        for (int i = 0; i < after.length; i++) {
            byte old = i < before.length ? before[i] : 0;
            if (old != after[i]) {
                if (start < 0) {
                    start = i;
                }
            } else if (start >= 0) {
                runs.add(new ChangedRun(start, i - start));
                start = -1;
            }
        }
        if (start >= 0) {
            runs.add(new ChangedRun(start, after.length - start));
        }
        return runs;
    }
}
