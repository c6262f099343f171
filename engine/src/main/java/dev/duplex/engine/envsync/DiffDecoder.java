package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * Reads the diff file format, version 1 ({@code docs/diff-format.md}), refusing with a
 * {@link DiffFormatException} anything that is not a valid diff. The checks run in this order,
 * so a damaged file is reported by its first broken rule: length at least the minimum,
 * signature, version, reserved field, total length against the file's length (truncated or
 * trailing bytes), the diff's CRC32C, then the item table and each item's entries.
 *
 * <p>It never allocates more than the input's size allows, so any input is decoded or refused
 * in time linear in its length.
 */
public final class DiffDecoder {
    /**
     * Checks the first bytes of a diff file against the file's real length, before the rest is
     * read: the same rules, in the same order and with the same messages, as {@link #decode}
     * up to the total length. A reader of a file calls it with the first
     * {@link DiffFormat#HEADER_BYTES} bytes (fewer if the file is shorter) and reads the rest
     * only if it passes, so the bytes it reads are bounded by both the header and the file.
     *
     * @param head the file's first bytes, at most {@link DiffFormat#HEADER_BYTES} of them are looked at
     * @param fileLength the file's length in bytes
     * @return the total length the header claims, equal to {@code fileLength}
     */
    public long checkHead(byte[] head, long fileLength) {
        requireNonNull(head, "head is null");
        if (fileLength < DiffFormat.MIN_BYTES) {
            throw new DiffFormatException("truncated diff: " + fileLength + " bytes, a diff has at least "
                    + DiffFormat.MIN_BYTES);
        }
        if (head.length < 12) {
            throw new IllegalArgumentException("the head of a diff of " + fileLength + " bytes has at least 12 bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int signature = in.getInt();
        if (signature != DiffFormat.SIGNATURE) {
            throw new DiffFormatException("wrong signature: the file starts with "
                    + java.util.HexFormat.of().formatHex(head, 0, 4) + ", a diff with 44584446 (\"DXDF\"); not a Duplex diff");
        }
        int version = Short.toUnsignedInt(in.getShort());
        if (version != DiffFormat.VERSION) {
            throw new DiffFormatException("unknown diff format version " + version + "; this build reads version "
                    + DiffFormat.VERSION);
        }
        int reserved = Short.toUnsignedInt(in.getShort());
        if (reserved != 0) {
            throw new DiffFormatException("reserved header field is " + reserved + ", must be 0");
        }
        long total = Integer.toUnsignedLong(in.getInt());
        if (total > fileLength) {
            throw new DiffFormatException("truncated diff: the header says " + total + " bytes, the file has "
                    + fileLength);
        }
        if (total < fileLength) {
            throw new DiffFormatException("trailing bytes: the header says " + total + " bytes, the file has "
                    + fileLength);
        }
        return total;
    }

    /** Decodes a diff. */
    public DiffInfo decode(byte[] bytes) {
        requireNonNull(bytes, "bytes is null");
        checkHead(bytes, bytes.length);
        ByteBuffer in = ByteBuffer.wrap(bytes, 12, bytes.length - 12).slice().order(ByteOrder.LITTLE_ENDIAN);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int computed = Checksums.crc32c(bytes, 0, bytes.length - DiffFormat.CHECKSUM_BYTES);
        if (stored != computed) {
            throw new DiffFormatException("bad diff checksum: stored " + Checksums.hex(stored) + ", computed "
                    + Checksums.hex(computed) + "; the diff was damaged after it was written");
        }
        ByteBuffer body = in.slice(0, bytes.length - DiffFormat.CHECKSUM_BYTES - 12).order(ByteOrder.LITTLE_ENDIAN);
        try {
            return body(body);
        } catch (BufferUnderflowException e) {
            throw new DiffFormatException("truncated diff: the item table or entries run past the end of the file", e);
        }
    }

    private DiffInfo body(ByteBuffer in) {
        long base = in.getLong();
        long target = in.getLong();
        if (base < 0 || target < base) {
            throw new DiffFormatException("revisions out of order: base " + base + ", target " + target);
        }
        long itemCount = Integer.toUnsignedLong(in.getInt());
        if (itemCount * DiffFormat.ITEM_ROW_FIXED_BYTES > in.remaining()) {
            throw new DiffFormatException("truncated diff: " + itemCount + " items do not fit in the "
                    + in.remaining() + " bytes left");
        }
        var rows = new ArrayList<ItemRow>((int) itemCount);
        var names = new HashSet<String>();
        long entryBytes = 0;
        for (int i = 0; i < itemCount; i++) {
            ItemRow row = row(in, i);
            if (!names.add(row.name)) {
                throw new DiffFormatException("item '" + row.name + "' appears twice in the item table");
            }
            rows.add(row);
            entryBytes += (long) row.entryCount * DiffFormat.ENTRY_BYTES;
        }
        if (entryBytes != in.remaining()) {
            throw new DiffFormatException((entryBytes > in.remaining() ? "truncated diff" : "trailing bytes")
                    + ": the item table lists " + entryBytes / DiffFormat.ENTRY_BYTES + " entries ("
                    + entryBytes + " bytes), the file has " + in.remaining() + " bytes after the table");
        }
        var items = new ArrayList<ItemDiff>(rows.size());
        for (ItemRow row : rows) {
            var entries = new ArrayList<DiffEntry>((int) row.entryCount);
            for (long e = 0; e < row.entryCount; e++) {
                entries.add(entry(in));
            }
            ItemDiff item = new ItemDiff(row.name, row.change, row.lengthBefore, row.lengthAfter,
                    row.crcBefore, row.crcAfter, entries);
            checkChange(item);
            try {
                EntryRuns.check(item);
            } catch (EntryRuns.Violation v) {
                throw new DiffFormatException(v.getMessage());
            }
            items.add(item);
        }
        return new DiffInfo(new DiffHeader(DiffFormat.SIGNATURE, DiffFormat.VERSION, base, target), items);
    }

    private record ItemRow(String name, ItemDiff.Change change, int lengthBefore, int lengthAfter, int crcBefore,
            int crcAfter, long entryCount) {
    }

    private ItemRow row(ByteBuffer in, int index) {
        int nameLength = Short.toUnsignedInt(in.getShort());
        if (nameLength > in.remaining()) {
            throw new DiffFormatException("truncated diff: the name of item " + index + " runs past the end");
        }
        byte[] nameBytes = new byte[nameLength];
        in.get(nameBytes);
        String name = name(nameBytes, index);
        int code = Byte.toUnsignedInt(in.get());
        ItemDiff.Change change = Arrays.stream(ItemDiff.Change.values()).filter(c -> c.code() == code).findFirst()
                .orElseThrow(() -> new DiffFormatException("item '" + name + "' has unknown change code " + code));
        int lengthBefore = length(in.getInt(), name, "before");
        int lengthAfter = length(in.getInt(), name, "after");
        int crcBefore = in.getInt();
        int crcAfter = in.getInt();
        long entryCount = Integer.toUnsignedLong(in.getInt());
        return new ItemRow(name, change, lengthBefore, lengthAfter, crcBefore, crcAfter, entryCount);
    }

    private static String name(byte[] bytes, int index) {
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DiffFormatException("the name of item " + index + " is not valid UTF-8");
        }
        if (name.isBlank() || name.contains("/") || name.contains("\0") || name.startsWith(".")) {
            throw new DiffFormatException("item " + index + " has an invalid name: '" + printable(name) + "'");
        }
        return name;
    }

    private static String printable(String name) {
        var out = CharBuffer.allocate(Math.min(name.length(), 64));
        name.codePoints().limit(64).forEach(c -> out.put(Character.isISOControl(c) ? '?' : (char) Math.min(c, 0xFFFF)));
        return out.flip().toString();
    }

    private static int length(int raw, String name, String when) {
        if (raw < 0) {
            throw new DiffFormatException("item '" + name + "' has length " + Integer.toUnsignedLong(raw) + " " + when
                    + "; lengths are at most " + Integer.MAX_VALUE);
        }
        return raw;
    }

    private static DiffEntry entry(ByteBuffer in) {
        long word = in.getLong();
        int offset = (int) (word & 0x7FFF_FFFFL);
        int size = (int) ((word >>> 31) & 0x7FFF_FFFFL);
        EntryFlag flag = EntryFlag.ofCode((int) (word >>> 62));
        int dataLength = switch (flag) {
            case INVALID -> 0;
            case AREA -> EntryFlag.MAX_DATA;
            case DATA, CONT -> Math.min(size, EntryFlag.MAX_DATA);
        };
        byte[] data = new byte[dataLength];
        in.get(data);
        in.position(in.position() + EntryFlag.MAX_DATA - dataLength);
        return new DiffEntry(flag, offset, size, data);
    }

    private static void checkChange(ItemDiff item) {
        switch (item.change()) {
            case ADDED -> {
                if (item.lengthBefore() != 0 || item.crcBefore() != 0) {
                    throw new DiffFormatException("item '" + item.name() + "' is ADDED but has length "
                            + item.lengthBefore() + " and checksum " + Checksums.hex(item.crcBefore()) + " before");
                }
            }
            case REMOVED -> {
                if (item.lengthAfter() != 0 || item.crcAfter() != 0 || !item.entries().isEmpty()) {
                    throw new DiffFormatException("item '" + item.name() + "' is REMOVED but has length "
                            + item.lengthAfter() + ", checksum " + Checksums.hex(item.crcAfter()) + " or entries after");
                }
            }
            case KEPT -> {
            }
        }
    }
}
