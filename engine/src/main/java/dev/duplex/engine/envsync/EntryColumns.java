package dev.duplex.engine.envsync;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The reversible layout the container compresses (docs/diff-format.md, "Entry columns"): the
 * FIG. 5 diff's header and item table as they are, then every entry's header word, then only the
 * data bytes each entry carries, then the diff's CRC32C. A CONT word is stored XOR the word its
 * AREA predicts (so a regular run's CONT words are zeros) and a DATA or AREA word's offset as the
 * distance from the end of the previous DATA or AREA range. Interleaved, 8 data bytes between
 * 8-byte words cut every match zstd could find against the base at 8 bytes; as columns, a changed
 * run's bytes are contiguous again. Any byte sequence of the right length maps back to exactly
 * one FIG. 5 file, which the FIG. 5 decoder then checks as usual.
 */
final class EntryColumns {
    private static final long FIELD = 0x7FFF_FFFFL;

    private EntryColumns() {
    }

    /** The bytes before the entries in a FIG. 5 diff of {@code diffLength} bytes and {@code entryCount} entries. */
    static long prefixLength(long diffLength, long entryCount) {
        return diffLength - DiffFormat.CHECKSUM_BYTES - (long) DiffFormat.ENTRY_BYTES * entryCount;
    }

    /**
     * The columns of {@code diff}, a FIG. 5 diff of {@code entryCount} entries written by
     * {@link DiffEncoder} (unused data slot bytes zero).
     */
    static byte[] split(byte[] diff, int entryCount) {
        int prefix = Math.toIntExact(prefixLength(diff.length, entryCount));
        ByteBuffer in = ByteBuffer.wrap(diff).order(ByteOrder.LITTLE_ENDIAN);
        int dataBytes = 0;
        for (int e = 0; e < entryCount; e++) {
            dataBytes += dataLength(in.getLong(prefix + e * DiffFormat.ENTRY_BYTES));
        }
        ByteBuffer out = ByteBuffer.allocate(prefix + entryCount * 8 + dataBytes + DiffFormat.CHECKSUM_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(diff, 0, prefix);
        var state = new Prediction();
        int data = prefix + entryCount * 8;
        for (int e = 0; e < entryCount; e++) {
            int at = prefix + e * DiffFormat.ENTRY_BYTES;
            long word = in.getLong(at);
            out.putLong(prefix + e * 8, state.hide(word));
            int length = dataLength(word);
            for (int i = length; i < EntryFlag.MAX_DATA; i++) {
                if (diff[at + 8 + i] != 0) {
                    throw new IllegalArgumentException("entry " + e + " has non-zero bytes after its data; "
                            + "only diffs written by DiffEncoder are laid out as columns");
                }
            }
            out.put(data, diff, at + 8, length);
            data += length;
            state.advance(word);
        }
        out.put(data, diff, diff.length - DiffFormat.CHECKSUM_BYTES, DiffFormat.CHECKSUM_BYTES);
        return out.array();
    }

    /**
     * The FIG. 5 diff of {@code diffLength} bytes and {@code entryCount} entries whose columns are
     * {@code columns}; the caller has checked that the prefix is at least a FIG. 5 header.
     *
     * @throws DiffFormatException when the columns are too short, or their data bytes do not fill
     *     the entries exactly
     */
    static byte[] join(byte[] columns, int diffLength, int entryCount) {
        int prefix = Math.toIntExact(prefixLength(diffLength, entryCount));
        long fixed = (long) prefix + entryCount * 8L + DiffFormat.CHECKSUM_BYTES;
        if (columns.length < fixed) {
            throw new DiffFormatException("the compressed diff decompresses to " + columns.length + " bytes, fewer than "
                    + "the " + fixed + " its header and " + entryCount + " entry words take");
        }
        ByteBuffer in = ByteBuffer.wrap(columns).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(diffLength).order(ByteOrder.LITTLE_ENDIAN);
        out.put(0, columns, 0, prefix);
        int data = prefix + entryCount * 8;
        int dataEnd = columns.length - DiffFormat.CHECKSUM_BYTES;
        var state = new Prediction();
        for (int e = 0; e < entryCount; e++) {
            long word = state.reveal(in.getLong(prefix + e * 8));
            int at = prefix + e * DiffFormat.ENTRY_BYTES;
            out.putLong(at, word);
            int length = dataLength(word);
            if (length > dataEnd - data) {
                throw new DiffFormatException("the compressed diff's entry data runs out at entry " + e + " of "
                        + entryCount);
            }
            out.put(at + 8, columns, data, length);
            data += length;
            state.advance(word);
        }
        if (data != dataEnd) {
            throw new DiffFormatException("the compressed diff has " + (dataEnd - data) + " entry data bytes more "
                    + "than its " + entryCount + " entries carry");
        }
        out.put(diffLength - DiffFormat.CHECKSUM_BYTES, columns, dataEnd, DiffFormat.CHECKSUM_BYTES);
        return out.array();
    }

    /** The data bytes an entry of this header word carries, as {@link DiffDecoder} reads them. */
    static int dataLength(long word) {
        int size = (int) ((word >>> 31) & FIELD);
        return switch (EntryFlag.ofCode((int) (word >>> 62))) {
            case INVALID -> 0;
            case AREA -> EntryFlag.MAX_DATA;
            case DATA, CONT -> Math.min(size, EntryFlag.MAX_DATA);
        };
    }

    /** What the words seen so far predict of the next one: the open AREA's next CONT, or the end of the last range. */
    private static final class Prediction {
        private long lastEnd;
        private long areaSize;
        private long covered;

        long hide(long word) {
            return covered < areaSize ? word ^ nextCont() : (word & ~FIELD) | ((word - lastEnd) & FIELD);
        }

        long reveal(long stored) {
            return covered < areaSize ? stored ^ nextCont() : (stored & ~FIELD) | ((stored + lastEnd) & FIELD);
        }

        private long nextCont() {
            return covered | (Math.min(EntryFlag.MAX_DATA, areaSize - covered) << 31)
                    | ((long) EntryFlag.CONT.code() << 62);
        }

        void advance(long word) {
            long offset = word & FIELD;
            long size = (word >>> 31) & FIELD;
            switch (EntryFlag.ofCode((int) (word >>> 62))) {
                case INVALID -> {
                }
                case DATA -> lastEnd = (offset + size) & FIELD;
                case AREA -> {
                    lastEnd = (offset + size) & FIELD;
                    areaSize = size;
                    covered = EntryFlag.MAX_DATA;
                }
                case CONT -> covered = offset + size;
            }
        }
    }
}
