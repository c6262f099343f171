package dev.duplex.engine.envsync;

import java.util.ArrayList;
import java.util.List;

/**
 * Merges changed runs separated by a few unchanged bytes when the merged run takes no more
 * entries than the two runs apart.
 *
 * <p>The rule: every entry costs 16 bytes (an 8-byte header word and an 8-byte data slot,
 * {@code docs/diff-format.md}), whether its slot is full or not. A run of {@code n} bytes
 * takes {@code ceil(n / 8)} entries. Two runs of {@code a} and {@code b} bytes with a gap of
 * {@code g} unchanged bytes merge iff {@code ceil((a + g + b) / 8) <= ceil(a / 8) + ceil(b / 8)}:
 * the gap's bytes cost data-slot space, the separate run costs an entry header, and merging
 * wins (or ties, and then saves a patch for the store) when the gap fits into slack that the
 * separate runs would waste. It follows that only gaps under 16 bytes ever merge. Runs are
 * merged greedily left to right: the merged run is then compared with the next one.
 */
public final class RunMerger {
    /** Merges the runs, which must be sorted and disjoint. */
    public List<ChangedRun> merge(List<ChangedRun> runs) {
        if (runs.size() < 2) {
            return runs;
        }
        var merged = new ArrayList<ChangedRun>(runs.size());
        ChangedRun current = runs.get(0);
        for (int i = 1; i < runs.size(); i++) {
            ChangedRun next = runs.get(i);
            if (worthMerging(current, next)) {
                current = new ChangedRun(current.offset(), next.end() - current.offset());
            } else {
                merged.add(current);
                current = next;
            }
        }
        merged.add(current);
        return merged;
    }

    /** Whether one run covering both takes no more entries than the two apart. */
    public static boolean worthMerging(ChangedRun first, ChangedRun second) {
        long mergedLength = (long) second.end() - first.offset();
        return ChangedRun.entriesFor(mergedLength) <= first.entryCount() + second.entryCount();
    }
}
