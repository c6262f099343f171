package dev.duplex.engine.envsync;

import dev.duplex.api.BytePatch;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The CRC32C of an item's bytes after a patch, computed without building them: the base bytes
 * truncated or zero-extended to the new length, with the patches laid over. A diff may claim
 * any length up to 2^31 - 1, so the result is checked before a single byte of it is allocated
 * or written; only a result that verifies is built.
 */
final class ResultChecksum {
    private static final byte[] ZEROS = new byte[64 * 1024];

    private ResultChecksum() {
    }

    /**
     * @param base the base bytes (an added item has none)
     * @param newLength the result's length
     * @param patches non-overlapping, ascending, each ending at or before {@code newLength}
     */
    static int of(byte[] base, long newLength, List<BytePatch> patches) {
        var crc = new CRC32C();
        long position = 0;
        for (BytePatch patch : patches) {
            fill(crc, base, position, patch.offset());
            crc.update(patch.bytes());
            position = patch.end();
        }
        fill(crc, base, position, newLength);
        return (int) crc.getValue();
    }

    /** The result's bytes from {@code from} to {@code to} that no patch covers: base bytes, then zeros. */
    private static void fill(CRC32C crc, byte[] base, long from, long to) {
        long position = from;
        long baseEnd = Math.min(to, base.length);
        if (position < baseEnd) {
            crc.update(base, (int) position, (int) (baseEnd - position));
            position = baseEnd;
        }
        while (position < to) {
            int chunk = (int) Math.min(ZEROS.length, to - position);
            crc.update(ZEROS, 0, chunk);
            position += chunk;
        }
    }
}
