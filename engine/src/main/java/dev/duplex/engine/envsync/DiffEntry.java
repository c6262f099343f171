package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One entry of an item's diff (seed FIG. 5: flag 1032, offset 1033, size 1034, data 1035).
 *
 * <ul>
 *   <li>{@code DATA}: {@code offset} is absolute, {@code size} 1..8, {@code data} the {@code size} bytes.
 *   <li>{@code AREA}: {@code offset} is absolute, {@code size} the run's total size (&gt; 8), {@code data} its first 8 bytes.
 *   <li>{@code CONT}: {@code offset} relative to its AREA, {@code size} 1..8, {@code data} the {@code size} bytes.
 *   <li>{@code INVALID}: no data; ignored.
 * </ul>
 *
 * The record only checks what every entry must satisfy; the run rules are checked where the
 * entries are read ({@link DiffDecoder}, {@link DiffApplier}).
 *
 * @param flag the kind of entry
 * @param offset the offset, absolute or relative to the AREA, 0 or more
 * @param size the size as stored, 0 or more
 * @param data the data bytes carried by this entry, at most 8 (copied)
 */
public record DiffEntry(EntryFlag flag, int offset, int size, byte[] data) {
    public DiffEntry {
        requireNonNull(flag, "flag is null");
        requireNonNull(data, "data is null");
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("entry offset and size must be 0 or more: " + offset + ", " + size);
        }
        if (data.length > EntryFlag.MAX_DATA) {
            throw new IllegalArgumentException("an entry carries at most 8 data bytes, not " + data.length);
        }
        data = data.clone();
    }

    /** A DATA entry for a whole run of at most 8 bytes. */
    public static DiffEntry data(int offset, byte[] bytes) {
        return new DiffEntry(EntryFlag.DATA, offset, bytes.length, bytes);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The number of data bytes this entry carries, without copying them. */
    public int dataLength() {
        return data.length;
    }

    /** Copies this entry's data bytes into {@code target} at {@code position}. */
    void copyDataTo(byte[] target, int position) {
        System.arraycopy(data, 0, target, position, data.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiffEntry other && flag == other.flag && offset == other.offset
                && size == other.size && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return ((flag.hashCode() * 31 + offset) * 31 + size) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return flag + "[offset=" + offset + ", size=" + size + ", data=" + HexFormat.of().formatHex(data) + "]";
    }
}
