package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link DiffInfo} in the diff file format, version 1 ({@code docs/diff-format.md}):
 * header, item table, entries of each item in item-table order, then the CRC32C of every
 * preceding byte. All integers are little-endian.
 */
public final class DiffEncoder {
    /** The diff's bytes. */
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
