package dev.duplex.driver.local;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.BytePatch;
import dev.duplex.api.ItemChange;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The redo record of one in-place patch of an environment store: which generation it patches,
 * the revision it goes from and to, and every item's new length and byte ranges. Written and
 * fsynced before the first item byte changes, so after a crash the patch can be done again from
 * the start (every write is absolute, so doing it twice gives the same bytes).
 *
 * <p>Layout, big-endian: {@code "DPXPATCH"}, format 1 (int), generation name (short length +
 * UTF-8), expected and new revision (longs), item count (int), per item its name (short + UTF-8),
 * new length (long), patch count (int) and per patch its offset (long), length (int) and bytes;
 * then a CRC32C (int) of everything before it. A record whose CRC does not match was torn by a
 * crash before its fsync ended: no item was touched yet, so it is dropped.
 */
final class PatchJournal {
    private static final byte[] MAGIC = "DPXPATCH".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;

    /**
     * One journaled update.
     *
     * @param generation the name of the generation folder whose items are patched
     * @param expectedRevision the revision before
     * @param newRevision the revision after
     * @param patches the item patches
     */
    record Entry(String generation, long expectedRevision, long newRevision, List<ItemChange.Patch> patches) {
        Entry {
            requireNonNull(generation, "generation is null");
            patches = List.copyOf(requireNonNull(patches, "patches is null"));
        }
    }

    private PatchJournal() {
    }

    static byte[] encode(Entry entry) {
        try {
            var bytes = new ByteArrayOutputStream();
            var out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(FORMAT);
            writeName(out, entry.generation());
            out.writeLong(entry.expectedRevision());
            out.writeLong(entry.newRevision());
            out.writeInt(entry.patches().size());
            for (ItemChange.Patch patch : entry.patches()) {
                writeName(out, patch.item());
                out.writeLong(patch.newLength());
                out.writeInt(patch.patches().size());
                for (BytePatch range : patch.patches()) {
                    out.writeLong(range.offset());
                    out.writeInt(range.length());
                    out.write(range.bytes());
                }
            }
            out.flush();
            var crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
    }

    /**
     * The entry of {@code bytes}, or empty when they are not a whole record (torn by a crash
     * before their fsync ended, or not a journal at all).
     */
    static Optional<Entry> decode(byte[] bytes) {
        if (bytes.length < MAGIC.length + 8) {
            return Optional.empty();
        }
        var crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if ((int) crc.getValue() != buffer.getInt(bytes.length - 4)) {
            return Optional.empty();
        }
        buffer.limit(bytes.length - 4);
        try {
            byte[] magic = new byte[MAGIC.length];
            buffer.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC) || buffer.getInt() != FORMAT) {
                return Optional.empty();
            }
            String generation = readName(buffer);
            long expected = buffer.getLong();
            long next = buffer.getLong();
            int items = count(buffer);
            var patches = new ArrayList<ItemChange.Patch>(items);
            for (int i = 0; i < items; i++) {
                String item = readName(buffer);
                long newLength = buffer.getLong();
                int ranges = count(buffer);
                var list = new ArrayList<BytePatch>(ranges);
                for (int r = 0; r < ranges; r++) {
                    long offset = buffer.getLong();
                    int length = count(buffer);
                    byte[] data = new byte[length];
                    buffer.get(data);
                    list.add(new BytePatch(offset, data));
                }
                patches.add(new ItemChange.Patch(item, newLength, list));
            }
            if (buffer.hasRemaining()) {
                return Optional.empty();
            }
            return Optional.of(new Entry(generation, expected, next, patches));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            // A CRC that matches by chance over garbage: still not a record we wrote.
            return Optional.empty();
        }
    }

    /** A count or length read from the record, never more than the bytes left (no huge allocation). */
    private static int count(ByteBuffer buffer) {
        int n = buffer.getInt();
        if (n < 0 || n > buffer.remaining()) {
            throw new IllegalArgumentException("count " + n + " exceeds the record");
        }
        return n;
    }

    private static void writeName(DataOutputStream out, String name) throws IOException {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    private static String readName(ByteBuffer buffer) {
        int length = Short.toUnsignedInt(buffer.getShort());
        if (length > buffer.remaining()) {
            throw new IllegalArgumentException("name longer than the record");
        }
        byte[] utf8 = new byte[length];
        buffer.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
