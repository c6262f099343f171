package dev.duplex.engine.envsync;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDictContentType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes the compressed container around a FIG. 5 diff: its entry columns ({@link EntryColumns})
 * as one zstd frame, compressed against the base's bytes as a raw-content dictionary, behind a
 * header that names the base by length and CRC32C, and a CRC32C of the whole container.
 */
final class DiffContainerEncoder {
    /**
     * zstd's level by the bytes of base and diff together. A dictionary is indexed whole before a
     * byte is compressed, which at level 19 costs about a second per MiB on a loaded machine:
     * level 19 (of 22) for firmware-sized stores, faster levels above. Compression runs at S300,
     * ahead of any failure; the level is not part of the format.
     */
    static int level(long bytes) {
        if (bytes <= 2L << 20) {
            return 19;
        }
        return bytes <= 16L << 20 ? 9 : 3;
    }

    /** Whether a container can hold a diff of {@code diffLength} bytes made against {@code base}. */
    static boolean fits(int diffLength, DiffBase base) {
        return diffLength <= DiffContainerFormat.MAX_DIFF_BYTES && base.fitsContainer();
    }

    /**
     * The container of {@code diff}, the FIG. 5 bytes of {@code info} as {@link DiffEncoder} wrote
     * them, against {@code base}.
     */
    byte[] encode(DiffInfo info, byte[] diff, DiffBase base) {
        if (!fits(diff.length, base)) {
            throw new IllegalArgumentException("a diff of " + diff.length + " bytes against a base of " + base.length()
                    + " bytes does not fit a container (at most " + DiffContainerFormat.MAX_DIFF_BYTES + " and "
                    + DiffContainerFormat.MAX_BASE_BYTES + " bytes); write it plain");
        }
        int entryCount = Math.toIntExact(info.entryCount());
        byte[] columns = EntryColumns.split(diff, entryCount);
        byte[] frame;
        try (var zstd = new ZstdCompressCtx()) {
            zstd.setLevel(level(base.length() + diff.length));
            // The container's CRC32C and the diff's own cover the bytes; zstd's checksum and dictionary id would add 8.
            zstd.setChecksum(false);
            zstd.setDictID(false);
            zstd.setContentSize(true);
            if (base.length() > 0) {
                // RAW_CONTENT: a base that happens to start with zstd's dictionary magic is still just bytes.
                zstd.loadDict(base.bytes(), ZstdDictContentType.RAW_CONTENT);
            }
            frame = zstd.compress(columns);
        }
        int total = DiffContainerFormat.HEADER_BYTES + frame.length + DiffContainerFormat.CHECKSUM_BYTES;
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(DiffContainerFormat.SIGNATURE);
        out.putShort((short) DiffContainerFormat.VERSION);
        out.putShort((short) 0);
        out.putInt(total);
        out.putLong(info.header().baseRevision());
        out.putLong(info.header().targetRevision());
        out.putInt((int) base.length());
        out.putInt(base.crc32c());
        out.putInt(diff.length);
        out.putInt(entryCount);
        out.put(frame);
        byte[] bytes = out.array();
        out.putInt(Checksums.crc32c(bytes, 0, total - DiffContainerFormat.CHECKSUM_BYTES));
        return bytes;
    }
}
