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
 *
 * <p>It also reads the compressed container ({@code DXDZ}, see {@link DiffContainerFormat}) when
 * given the base the diff applies to ({@link #decode(byte[], DiffBase)}): the container is
 * checked, decompressed into at most its declared FIG. 5 length, and the FIG. 5 bytes inside are
 * then checked exactly as a plain diff is.
 */
public final class DiffDecoder {
    private final DiffContainerDecoder containers = new DiffContainerDecoder();

    /** Whether these first bytes of a file are a compressed container's (its signature, {@code DXDZ}). */
    public static boolean isContainer(byte[] head) {
        requireNonNull(head, "head is null");
        return head.length >= 4
                && ByteBuffer.wrap(head, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() == DiffContainerFormat.SIGNATURE;
    }

    /**
     * The bytes the FIG. 5 diff in a file takes once read, from its first bytes: a plain diff's
     * own length, or the length a container declares (at least the first 40 bytes are needed
     * for a container; a reader uses it to check it has the memory before reading on). Not
     * checked beyond {@link #checkHead}; {@link #decode} checks the rest.
     */
    public long diffLength(byte[] head, long fileLength) {
        requireNonNull(head, "head is null");
        if (!isContainer(head)) {
            return fileLength;
        }
        if (head.length < 40) {
            throw new IllegalArgumentException("the head of a compressed diff has at least 40 bytes, not " + head.length);
        }
        long declared = ByteBuffer.wrap(head, 36, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
        return Math.min(declared, DiffContainerFormat.MAX_DIFF_BYTES);
    }
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
        // A container's first 12 bytes have the same layout: signature, version, reserved, total length.
        boolean container = isContainer(head);
        String what = container ? "compressed diff" : "diff";
        int minBytes = container ? DiffContainerFormat.MIN_BYTES : DiffFormat.MIN_BYTES;
        if (fileLength < minBytes) {
            throw new DiffFormatException("truncated " + what + ": " + fileLength + " bytes, a " + what + " has at least "
                    + minBytes);
        }
        if (head.length < 12) {
            throw new IllegalArgumentException("the head of a diff of " + fileLength + " bytes has at least 12 bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int signature = in.getInt();
        if (signature != DiffFormat.SIGNATURE && !container) {
            throw new DiffFormatException("wrong signature: the file starts with "
                    + java.util.HexFormat.of().formatHex(head, 0, 4) + ", a diff with 44584446 (\"DXDF\") or a "
                    + "compressed diff with 4458445a (\"DXDZ\"); not a Duplex diff");
        }
        int version = Short.toUnsignedInt(in.getShort());
        int known = container ? DiffContainerFormat.VERSION : DiffFormat.VERSION;
        if (version != known) {
            throw new DiffFormatException("unknown " + (container ? "compressed diff" : "diff format") + " version "
                    + version + "; this build reads version " + known);
        }
        int reserved = Short.toUnsignedInt(in.getShort());
        if (reserved != 0) {
            throw new DiffFormatException("reserved header field is " + reserved + ", must be 0");
        }
        long total = Integer.toUnsignedLong(in.getInt());
        if (total > fileLength) {
            throw new DiffFormatException("truncated " + what + ": the header says " + total + " bytes, the file has "
                    + fileLength);
        }
        if (total < fileLength) {
            throw new DiffFormatException("trailing bytes: the header says " + total + " bytes, the file has "
                    + fileLength);
        }
        return total;
    }

    /**
     * Decodes a plain FIG. 5 diff or a compressed container. A container is read against
     * {@code base}, the info the diff applies to (the same the applier then checks it against);
     * a plain diff does not need it.
     *
     * @throws DiffFormatException when the bytes are not a valid diff or container, or the
     *     container was made against another base
     */
    public DiffInfo decode(byte[] bytes, DiffBase base) {
        requireNonNull(bytes, "bytes is null");
        requireNonNull(base, "base is null");
        if (!isContainer(bytes)) {
            return decode(bytes);
        }
        DiffContainerHeader header = containers.header(bytes);
        DiffInfo diff = plain(containers.diffBytes(bytes, base));
        if (diff.header().baseRevision() != header.baseRevision()
                || diff.header().targetRevision() != header.targetRevision()) {
            throw new DiffFormatException("the compressed diff's header says revision " + header.baseRevision() + " -> "
                    + header.targetRevision() + ", the diff inside goes " + diff.header().baseRevision() + " -> "
                    + diff.header().targetRevision());
        }
        return diff;
    }

    /**
     * The header of a compressed container, checked as far as it can be without the base
     * (signature, version, lengths, the container's CRC32C, revisions, declared sizes).
     *
     * @throws DiffFormatException when the bytes are not a valid container header
     */
    public DiffContainerHeader containerHeader(byte[] bytes) {
        requireNonNull(bytes, "bytes is null");
        return containers.header(bytes);
    }

    /**
     * Decodes a plain FIG. 5 diff. A compressed container is refused: it needs its base,
     * {@link #decode(byte[], DiffBase)}.
     */
    public DiffInfo decode(byte[] bytes) {
        requireNonNull(bytes, "bytes is null");
        if (isContainer(bytes)) {
            throw new DiffFormatException("this is a compressed diff (DXDZ): reading it needs the info it applies to "
                    + "as its base; decode it with that base");
        }
        return plain(bytes);
    }

    private DiffInfo plain(byte[] bytes) {
        if (isContainer(bytes)) {
            // Only reached from inside a container: checkHead alone would take it for one.
            throw new DiffFormatException("wrong signature: the diff inside the compressed diff starts with DXDZ, "
                    + "a diff with DXDF");
        }
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
