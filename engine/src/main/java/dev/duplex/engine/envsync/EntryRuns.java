package dev.duplex.engine.envsync;

import dev.duplex.api.BytePatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an item's entries as runs: checks the FIG. 5 rules (a CONT follows its AREA at the next
 * relative offset, DATA holds 1..8 bytes, an AREA more than 8, entries ascend without overlap and
 * end within the item) and assembles each run's bytes. Shared by {@link DiffDecoder}, which
 * refuses bytes, and {@link DiffApplier}, which refuses a {@link DiffInfo} built in code.
 */
final class EntryRuns {
    /** A violated entry rule; the caller turns it into its own refusal. */
    static final class Violation extends Exception {
        private static final long serialVersionUID = 1L;

        Violation(String message) {
            super(message, null, false, false);
        }
    }

    /** Receives each run, with its absolute offset and bytes. */
    interface Sink {
        void run(int offset, byte[] bytes);
    }

    private EntryRuns() {
    }

    /** Checks the entries of {@code item} without keeping the runs. */
    static void check(ItemDiff item) throws Violation {
        walk(item, null);
    }

    /** The item's runs as patches, after checking them. */
    static List<BytePatch> patches(ItemDiff item) throws Violation {
        var patches = new ArrayList<BytePatch>();
        walk(item, (offset, bytes) -> patches.add(new BytePatch(offset, bytes)));
        return patches;
    }

    /** The item's after bytes for an added item: zeros overwritten by its runs. */
    static byte[] content(ItemDiff item) throws Violation {
        byte[] content = new byte[item.lengthAfter()];
        walk(item, (offset, bytes) -> System.arraycopy(bytes, 0, content, offset, bytes.length));
        return content;
    }

    private static void walk(ItemDiff item, Sink sink) throws Violation {
        String name = item.name();
        long previousEnd = 0;
        DiffEntry area = null;
        byte[] runBytes = null;
        int consumed = 0;
        List<DiffEntry> entries = item.entries();
        for (int i = 0; i < entries.size(); i++) {
            DiffEntry entry = entries.get(i);
            EntryFlag flag = entry.flag();
            if (flag == EntryFlag.INVALID) {
                continue;
            }
            if (area != null && flag != EntryFlag.CONT) {
                throw new Violation(where(name, i) + " is " + flag + " but the AREA run at offset " + area.offset()
                        + " holds " + area.size() + " bytes and only " + consumed + " came before it");
            }
            switch (flag) {
                case DATA -> {
                    if (entry.size() == 0) {
                        throw new Violation(where(name, i) + " is a DATA entry of size 0");
                    }
                    if (entry.size() > EntryFlag.MAX_DATA) {
                        throw new Violation(where(name, i) + " is a DATA entry of size " + entry.size()
                                + "; DATA holds at most 8 bytes");
                    }
                    requireDataLength(name, i, entry, entry.size());
                    previousEnd = checkBounds(item, i, entry, previousEnd);
                    if (sink != null) {
                        sink.run(entry.offset(), entry.data());
                    }
                }
                case AREA -> {
                    if (entry.size() <= EntryFlag.MAX_DATA) {
                        throw new Violation(where(name, i) + " is an AREA entry of size " + entry.size()
                                + "; a run of at most 8 bytes must be a DATA entry");
                    }
                    requireDataLength(name, i, entry, EntryFlag.MAX_DATA);
                    previousEnd = checkBounds(item, i, entry, previousEnd);
                    area = entry;
                    consumed = EntryFlag.MAX_DATA;
                    if (sink != null) {
                        runBytes = new byte[entry.size()];
                        entry.copyDataTo(runBytes, 0);
                    }
                }
                case CONT -> {
                    if (area == null) {
                        throw new Violation(where(name, i) + " is CONT without its AREA");
                    }
                    if (entry.offset() != consumed) {
                        throw new Violation(where(name, i) + " is CONT at relative offset " + entry.offset()
                                + " but the AREA at offset " + area.offset() + " continues at relative offset " + consumed);
                    }
                    int expected = Math.min(EntryFlag.MAX_DATA, area.size() - consumed);
                    if (entry.size() != expected) {
                        throw new Violation(where(name, i) + " is CONT of size " + entry.size() + "; expected "
                                + expected + " (the AREA holds " + area.size() + " bytes)");
                    }
                    requireDataLength(name, i, entry, expected);
                    if (sink != null) {
                        entry.copyDataTo(runBytes, consumed);
                    }
                    consumed += expected;
                    if (consumed == area.size()) {
                        if (sink != null) {
                            sink.run(area.offset(), runBytes);
                        }
                        area = null;
                        runBytes = null;
                    }
                }
                default -> throw new AssertionError(flag);
            }
        }
        if (area != null) {
            throw new Violation("item '" + name + "': the AREA run at offset " + area.offset() + " holds "
                    + area.size() + " bytes but its entries end after " + consumed);
        }
    }

    private static long checkBounds(ItemDiff item, int index, DiffEntry entry, long previousEnd) throws Violation {
        long end = (long) entry.offset() + entry.size();
        if (entry.offset() < previousEnd) {
            throw new Violation(where(item.name(), index) + " (" + entry.flag() + " at offset " + entry.offset()
                    + ") overlaps the previous entry, which ends at " + previousEnd);
        }
        if (end > item.lengthAfter()) {
            throw new Violation(where(item.name(), index) + " (" + entry.flag() + " at offset " + entry.offset()
                    + ", size " + entry.size() + ") ends at " + end + ", past the end of the item (length "
                    + item.lengthAfter() + ")");
        }
        return end;
    }

    private static void requireDataLength(String name, int index, DiffEntry entry, int expected) throws Violation {
        if (entry.dataLength() != expected) {
            throw new Violation(where(name, index) + " carries " + entry.dataLength() + " data bytes; expected " + expected);
        }
    }

    private static String where(String name, int index) {
        return "item '" + name + "': entry " + index;
    }
}
