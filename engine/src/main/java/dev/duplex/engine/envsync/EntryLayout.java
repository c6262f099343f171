package dev.duplex.engine.envsync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lays changed runs out as FIG. 5 entries: a run of at most 8 bytes is one DATA entry; a longer
 * run is an AREA entry (absolute offset, total size, first 8 bytes) followed by CONT entries at
 * offsets 8, 16, ... relative to the AREA, each with the next at most 8 bytes.
 */
final class EntryLayout {
    private EntryLayout() {
    }

    static List<DiffEntry> entries(List<ChangedRun> runs, byte[] after) {
        var entries = new ArrayList<DiffEntry>(runs.size());
        for (ChangedRun run : runs) {
            addRun(entries, run, after);
        }
        return entries;
    }

    static void addRun(List<DiffEntry> entries, ChangedRun run, byte[] after) {
        int offset = run.offset();
        int length = run.length();
        if (length <= EntryFlag.MAX_DATA) {
            entries.add(DiffEntry.data(offset, Arrays.copyOfRange(after, offset, offset + length)));
            return;
        }
        entries.add(new DiffEntry(EntryFlag.AREA, offset, length,
                Arrays.copyOfRange(after, offset, offset + EntryFlag.MAX_DATA)));
        for (int relative = EntryFlag.MAX_DATA; relative < length; relative += EntryFlag.MAX_DATA) {
            int size = Math.min(EntryFlag.MAX_DATA, length - relative);
            entries.add(new DiffEntry(EntryFlag.CONT, relative, size,
                    Arrays.copyOfRange(after, offset + relative, offset + relative + size)));
        }
    }
}
