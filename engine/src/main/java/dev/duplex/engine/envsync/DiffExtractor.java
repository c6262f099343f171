package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Extracts the difference between two revisions of a VM's environment info (seed FIG. 6, S309).
 *
 * <p>Per item, the equal stretches between changes are skipped with {@link Arrays#mismatch},
 * which the JDK vectorizes, so an item with few changes is scanned at memory speed. Inside a
 * changed run the two versions are compared by XOR eight bytes (a machine word) at a time;
 * within a word that differs, the changed bytes are found with
 * {@link Long#numberOfTrailingZeros(long)} on a per-byte mask, so runs have exact byte
 * boundaries. The runs are merged
 * by {@link RunMerger}'s rule and laid out as FIG. 5 entries.
 *
 * <p>Items of different lengths are compared over the after length with the before bytes
 * truncated or zero-extended (the {@link dev.duplex.api.ItemChange.Patch} semantics), so a
 * grown item's new tail costs only its non-zero bytes. An added item is compared against an
 * empty item; a removed item gets a {@link ItemDiff.Change#REMOVED} marker and no entries.
 */
public final class DiffExtractor {
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_SEVEN_BITS = 0x7F7F7F7F7F7F7F7FL;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final byte[] EMPTY = new byte[0];

    private final RunMerger merger;

    public DiffExtractor() {
        this(new RunMerger());
    }

    public DiffExtractor(RunMerger merger) {
        this.merger = requireNonNull(merger, "merger is null");
    }

    /**
     * The diff that turns {@code base} (the standby's info, 111) into {@code target} (the
     * active's latest, 101). Items appear in the target's order, then the removed ones.
     */
    public DiffInfo extract(EnvironmentSnapshot base, EnvironmentSnapshot target) {
        requireNonNull(base, "base is null");
        requireNonNull(target, "target is null");
        if (target.revision() < base.revision()) {
            throw new IllegalArgumentException("cannot diff back from revision " + base.revision()
                    + " to " + target.revision());
        }
        var items = new ArrayList<ItemDiff>(target.items().size());
        for (EnvironmentItem after : target.items()) {
            var before = base.item(after.name());
            items.add(before.isPresent()
                    ? extractItem(after.name(), before.get().content(), after.content())
                    : added(after.name(), after.content()));
        }
        for (EnvironmentItem before : base.items()) {
            if (target.item(before.name()).isEmpty()) {
                byte[] content = before.content();
                items.add(new ItemDiff(before.name(), ItemDiff.Change.REMOVED, content.length, 0,
                        Checksums.crc32c(content), 0, List.of()));
            }
        }
        return new DiffInfo(DiffHeader.of(base.revision(), target.revision()), items);
    }

    /** The diff of an item present in both revisions. */
    public ItemDiff extractItem(String name, byte[] before, byte[] after) {
        List<ChangedRun> runs = merger.merge(changedRuns(before, after));
        return new ItemDiff(name, ItemDiff.Change.KEPT, before.length, after.length,
                Checksums.crc32c(before), Checksums.crc32c(after), EntryLayout.entries(runs, after));
    }

    private ItemDiff added(String name, byte[] after) {
        List<ChangedRun> runs = merger.merge(changedRuns(EMPTY, after));
        return new ItemDiff(name, ItemDiff.Change.ADDED, 0, after.length, 0, Checksums.crc32c(after),
                EntryLayout.entries(runs, after));
    }

    /**
     * The exact runs of bytes of {@code after} that differ from {@code before} truncated or
     * zero-extended to {@code after.length}, in ascending order, not merged.
     */
    public static List<ChangedRun> changedRuns(byte[] before, byte[] after) {
        var runs = new RunCollector();
        int common = Math.min(before.length, after.length);
        runs.scanBoth(before, after, common);
        runs.scanAgainstZero(after, common, after.length);
        runs.finish(after.length);
        return runs.runs;
    }

    /** Walks words and records run boundaries; a run may continue from one region to the next. */
    private static final class RunCollector {
        final List<ChangedRun> runs = new ArrayList<>();
        int start = -1;

        void scanBoth(byte[] before, byte[] after, int end) {
            int i = 0;
            while (i < end) {
                if (start < 0) {
                    // Outside a run, the JDK's vectorized mismatch finds the next difference at memory speed.
                    int next = Arrays.mismatch(before, i, end, after, i, end);
                    if (next < 0) {
                        return;
                    }
                    i += next;
                }
                // Inside a run (or at its first byte): a word at a time until a whole word is equal.
                if (i + 8 <= end) {
                    long x = (long) WORDS.get(before, i) ^ (long) WORDS.get(after, i);
                    wordOrGap(x, i);
                    i += 8;
                } else {
                    byteAt(before[i] != after[i], i);
                    i++;
                }
            }
        }

        void scanAgainstZero(byte[] after, int from, int end) {
            int i = from;
            int wordsEnd = end - 7;
            for (; i < wordsEnd; i += 8) {
                long x = (long) WORDS.get(after, i);
                if (x == 0) {
                    if (start >= 0) {
                        close(i);
                    }
                } else {
                    word(x, i);
                }
            }
            for (; i < end; i++) {
                byteAt(after[i] != 0, i);
            }
        }

        private void wordOrGap(long x, int base) {
            if (x == 0) {
                if (start >= 0) {
                    close(base);
                }
            } else {
                word(x, base);
            }
        }

        /** A word whose XOR is {@code x != 0}, at {@code base}: walk its changed/unchanged boundaries. */
        private void word(long x, int base) {
            // 0x80 in each byte of x that is zero (unchanged), 0 elsewhere; no carries cross bytes.
            long unchanged = ~(((x & LOW_SEVEN_BITS) + LOW_SEVEN_BITS) | x | LOW_SEVEN_BITS);
            if (unchanged == 0) {
                if (start < 0) {
                    start = base;
                }
                return;
            }
            long changed = ~unchanged & HIGH_BITS;
            int p = 0;
            while (true) {
                long from = -1L << (p << 3);
                if (start < 0) {
                    long m = changed & from;
                    if (m == 0) {
                        return;
                    }
                    p = Long.numberOfTrailingZeros(m) >>> 3;
                    start = base + p;
                } else {
                    long m = unchanged & from;
                    if (m == 0) {
                        return;
                    }
                    p = Long.numberOfTrailingZeros(m) >>> 3;
                    close(base + p);
                }
            }
        }

        private void byteAt(boolean differs, int i) {
            if (differs) {
                if (start < 0) {
                    start = i;
                }
            } else if (start >= 0) {
                close(i);
            }
        }

        private void close(int end) {
            runs.add(new ChangedRun(start, end - start));
            start = -1;
        }

        void finish(int end) {
            if (start >= 0) {
                close(end);
            }
        }
    }
}
