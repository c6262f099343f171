package dev.duplex.engine.envsync;

/**
 * A run of consecutive bytes of an item that differ between two versions.
 *
 * @param offset the offset of the first changed byte
 * @param length the number of bytes, 1 or more
 */
public record ChangedRun(int offset, int length) {
    public ChangedRun {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("invalid changed run: offset " + offset + ", length " + length);
        }
    }

    /** The offset just past the run. */
    public int end() {
        return offset + length;
    }

    /** The number of FIG. 5 entries the run takes: one per 8 bytes (a DATA, or an AREA and its CONTs). */
    public int entryCount() {
        return entriesFor(length);
    }

    static int entriesFor(long length) {
        return (int) ((length + EntryFlag.MAX_DATA - 1) / EntryFlag.MAX_DATA);
    }
}
