package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link DiffInfo} in the diff file format, version 1 ({@code docs/diff-format.md}):
 * header, item table, entries of each item in item-table order, then the CRC32C of every
 * preceding byte. All integers are little-endian. With the base at hand it also writes the
 * compressed container ({@link DiffContainerFormat}) when that is smaller.
 */
public final class DiffEncoder {
    private static final Logger log = LoggerFactory.getLogger(DiffEncoder.class);

    private final DiffContainerEncoder containers = new DiffContainerEncoder();

    /**
     * The smaller of the plain diff and its compressed container against {@code base} (the info
     * the diff applies to); the plain diff when they are equal, when the container's limits are
     * exceeded, or when zstd is not available here. A container is only worth writing when it
     * saves bytes: a plain diff can be read without its base and without a native library.
     */
    public byte[] encode(DiffInfo diff, DiffBase base) {
        requireNonNull(base, "base is null");
        byte[] plain = encode(diff);
        if (!DiffContainerEncoder.fits(plain.length, base)) {
            return plain;
        }
        byte[] container;
        try {
            container = containers.encode(diff, plain, base);
        } catch (LinkageError e) {
            log.warn("zstd is not available ({}); writing the diff {} -> {} uncompressed", e.toString(),
                    diff.header().baseRevision(), diff.header().targetRevision());
            return plain;
        }
        return container.length < plain.length ? container : plain;
    }

    /**
     * The compressed container of {@code diff} against {@code base}, whatever its size (for
     * tools and measurements; {@link #encode(DiffInfo, DiffBase)} picks the smaller).
     *
     * @throws IllegalArgumentException when the diff or the base is over the container's limits
     */
    public byte[] encodeContainer(DiffInfo diff, DiffBase base) {
        requireNonNull(base, "base is null");
        return containers.encode(diff, encode(diff), base);
    }

    /** The diff's bytes, plain FIG. 5. */
    public byte[] encode(DiffInfo diff) {
        requireNonNull(diff, "diff is null");
        int size = encodedSize(diff);
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        DiffHeader header = diff.header();
        out.putInt(header.signature());
        out.putShort((short) header.version());
        out.putShort((short) 0);
        out.putInt(size);
        out.putLong(header.baseRevision());
        out.putLong(header.targetRevision());
        out.putInt(diff.items().size());
        for (ItemDiff item : diff.items()) {
            byte[] name = item.name().getBytes(StandardCharsets.UTF_8);
            out.putShort((short) name.length);
            out.put(name);
            out.put((byte) item.change().code());
            out.putInt(item.lengthBefore());
            out.putInt(item.lengthAfter());
            out.putInt(item.crcBefore());
            out.putInt(item.crcAfter());
            out.putInt(item.entries().size());
        }
        byte[] slot = new byte[EntryFlag.MAX_DATA];
        for (ItemDiff item : diff.items()) {
            for (DiffEntry entry : item.entries()) {
                out.putLong(headerWord(entry));
                java.util.Arrays.fill(slot, (byte) 0);
                entry.copyDataTo(slot, 0);
                out.put(slot);
            }
        }
        byte[] bytes = out.array();
        out.putInt(Checksums.crc32c(bytes, 0, size - DiffFormat.CHECKSUM_BYTES));
        return bytes;
    }

    /** The number of bytes {@link #encode} writes for this diff. */
    public static int encodedSize(DiffInfo diff) {
        long size = DiffFormat.HEADER_BYTES + DiffFormat.CHECKSUM_BYTES;
        for (ItemDiff item : diff.items()) {
            int nameBytes = item.name().getBytes(StandardCharsets.UTF_8).length;
            if (nameBytes > DiffFormat.MAX_NAME_BYTES) {
                throw new IllegalArgumentException("item name '" + item.name() + "' is longer than 65535 UTF-8 bytes");
            }
            size += DiffFormat.ITEM_ROW_FIXED_BYTES + nameBytes;
            size += (long) DiffFormat.ENTRY_BYTES * item.entries().size();
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("diff of " + size + " bytes is too large for one file; write the whole info instead");
        }
        return (int) size;
    }

    /** The entry's header word: offset in bits 0-30, size in bits 31-61, flag in bits 62-63. */
    static long headerWord(DiffEntry entry) {
        return (entry.offset() & 0x7FFF_FFFFL)
                | ((entry.size() & 0x7FFF_FFFFL) << 31)
                | ((long) entry.flag().code() << 62);
    }
}
