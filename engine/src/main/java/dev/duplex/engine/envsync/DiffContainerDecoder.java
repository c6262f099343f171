package dev.duplex.engine.envsync;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictContentType;
import com.github.luben.zstd.ZstdException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * Reads the compressed container back to the FIG. 5 bytes inside it, refusing with a
 * {@link DiffFormatException} anything that is not a valid container for the given base. The
 * checks run in the order of {@code docs/diff-format.md} ("Reading a container"): the header and
 * the container's CRC32C first, then the base, then the zstd frame, decompressed into a buffer of
 * the declared diff length and no more (a decompression bomb stops there), then the columns.
 */
final class DiffContainerDecoder {
    private static final long U32 = 0xFFFF_FFFFL;

    /** The header, checked: everything that can be checked without the base. */
    DiffContainerHeader header(byte[] bytes) {
        if (bytes.length < DiffContainerFormat.MIN_BYTES) {
            throw new DiffFormatException("truncated compressed diff: " + bytes.length + " bytes, a container has at least "
                    + DiffContainerFormat.MIN_BYTES);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt(0) != DiffContainerFormat.SIGNATURE) {
            throw new DiffFormatException("wrong signature: the file starts with " + HexFormat.of().formatHex(bytes, 0, 4)
                    + ", a compressed diff with 4458445a (\"DXDZ\")");
        }
        int version = Short.toUnsignedInt(in.getShort(4));
        if (version != DiffContainerFormat.VERSION) {
            throw new DiffFormatException("unknown compressed diff version " + version + "; this build reads version "
                    + DiffContainerFormat.VERSION);
        }
        int reserved = Short.toUnsignedInt(in.getShort(6));
        if (reserved != 0) {
            throw new DiffFormatException("reserved field of the compressed diff is " + reserved + ", must be 0");
        }
        long total = in.getInt(8) & U32;
        if (total != bytes.length) {
            throw new DiffFormatException((total > bytes.length ? "truncated" : "trailing bytes")
                    + " in compressed diff: the header says " + total + " bytes, the file has " + bytes.length);
        }
        int stored = in.getInt(bytes.length - DiffContainerFormat.CHECKSUM_BYTES);
        int computed = Checksums.crc32c(bytes, 0, bytes.length - DiffContainerFormat.CHECKSUM_BYTES);
        if (stored != computed) {
            throw new DiffFormatException("bad compressed diff checksum: stored " + Checksums.hex(stored) + ", computed "
                    + Checksums.hex(computed) + "; the file was damaged after it was written");
        }
        long base = in.getLong(12);
        long target = in.getLong(20);
        if (base < 0 || target < base) {
            throw new DiffFormatException("revisions out of order in compressed diff: base " + base + ", target " + target);
        }
        long baseLength = in.getInt(28) & U32;
        if (baseLength > DiffContainerFormat.MAX_BASE_BYTES) {
            throw new DiffFormatException("compressed diff names a base of " + baseLength + " bytes; a container's base "
                    + "has at most " + DiffContainerFormat.MAX_BASE_BYTES);
        }
        long diffLength = in.getInt(36) & U32;
        if (diffLength < DiffFormat.MIN_BYTES || diffLength > DiffContainerFormat.MAX_DIFF_BYTES) {
            throw new DiffFormatException("compressed diff declares a diff of " + diffLength + " bytes; it must be "
                    + DiffFormat.MIN_BYTES + " to " + DiffContainerFormat.MAX_DIFF_BYTES);
        }
        long entryCount = in.getInt(40) & U32;
        if (EntryColumns.prefixLength(diffLength, entryCount) < DiffFormat.HEADER_BYTES) {
            throw new DiffFormatException("compressed diff declares " + entryCount + " entries, more than a diff of "
                    + diffLength + " bytes holds");
        }
        return new DiffContainerHeader(version, (int) total, base, target, (int) baseLength, in.getInt(32),
                (int) diffLength, (int) entryCount, stored);
    }

    /** The FIG. 5 bytes inside a container, not yet checked as a diff. */
    byte[] diffBytes(byte[] bytes, DiffBase base) {
        DiffContainerHeader header = header(bytes);
        int baseCrc = base.length() == header.baseLength() ? base.crc32c() : 0;
        if (base.length() != header.baseLength() || baseCrc != header.baseCrc()) {
            throw new DiffBaseMismatchException("wrong base for the compressed diff " + header.baseRevision() + " -> "
                    + header.targetRevision() + ": it was made against " + header.baseLength() + " bytes with CRC32C "
                    + Checksums.hex(header.baseCrc()) + ", the given base has " + base.length() + " bytes"
                    + (base.length() == header.baseLength() ? " with CRC32C " + Checksums.hex(baseCrc) : "")
                    + "; decode it against the info at revision " + header.baseRevision());
        }
        int frameAt = DiffContainerFormat.HEADER_BYTES;
        int frameLength = header.frameLength();
        byte[] columns = new byte[header.diffLength()];
        int decompressed;
        try {
            // Exactly one frame: zstd itself would go on to decode a second frame or skip a skippable one.
            long first = frameLength == 0 ? -1 : Zstd.findFrameCompressedSize(bytes, frameAt, frameLength);
            if (first != frameLength) {
                throw new DiffFormatException("the compressed diff's " + frameLength + " bytes of zstd data are not one "
                        + "frame" + (first > 0 ? " (the first frame ends after " + first + " bytes)" : ""));
            }
            try (var zstd = new ZstdDecompressCtx()) {
                if (base.length() > 0) {
                    zstd.loadDict(base.bytes(), ZstdDictContentType.RAW_CONTENT);
                }
                // The buffer is the declared length: zstd stops with an error rather than write past it.
                decompressed = zstd.decompressByteArray(columns, 0, columns.length, bytes, frameAt, frameLength);
            }
        } catch (ZstdException e) {
            throw new DiffFormatException("the compressed diff's zstd data is damaged or decompresses to more than the "
                    + "declared " + header.diffLength() + " bytes (zstd: " + e.getMessage() + ")", e);
        } catch (LinkageError e) {
            throw new DiffFormatException("cannot read a compressed diff: the zstd native library did not load ("
                    + e + "); check that java.io.tmpdir is writable and not mounted noexec", e);
        }
        byte[] exact = decompressed == columns.length ? columns : java.util.Arrays.copyOf(columns, decompressed);
        return EntryColumns.join(exact, header.diffLength(), header.entryCount());
    }
}
