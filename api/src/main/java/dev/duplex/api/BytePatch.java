package dev.duplex.api;

import static java.util.Objects.requireNonNull;

/**
 * Bytes to write at an offset of an environment item.
 *
 * @param offset where the bytes go, 0 or more
 * @param bytes the new bytes (copied)
 */
public record BytePatch(long offset, byte[] bytes) {
    public BytePatch {
        requireNonNull(bytes, "bytes is null");
        if (offset < 0) {
            throw new IllegalArgumentException("patch offset is negative: " + offset);
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The number of bytes written. */
    public int length() {
        return bytes.length;
    }

    /** The offset just past the last byte written. */
    public long end() {
        return offset + bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BytePatch other && offset == other.offset && java.util.Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(offset) * 31 + java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "BytePatch[" + offset + "+" + bytes.length + "]";
    }
}
