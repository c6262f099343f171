package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seed 003, FIG. 5: a 1-byte change "01" at one offset, then a 32-byte run at another. */
class Fig5ExampleTest {
    private static final int OFFSET_XX = 0x13;
    private static final int OFFSET_SS = 0x40;

    @Test
    void reproducesTheFigure() {
        byte[] before = new byte[128];
        byte[] after = before.clone();
        after[OFFSET_XX] = 0x01;
        for (int i = 0; i < 32; i++) {
            after[OFFSET_SS + i] = (byte) (0xA0 + i);
        }
        DiffInfo diff = new DiffExtractor().extract(Fixtures.snapshot(1, "settings", before),
                Fixtures.snapshot(2, "settings", after));

        List<DiffEntry> expected = List.of(
                DiffEntry.data(OFFSET_XX, new byte[] {0x01}),
                new DiffEntry(EntryFlag.AREA, OFFSET_SS, 32, slice(after, OFFSET_SS)),
                new DiffEntry(EntryFlag.CONT, 8, 8, slice(after, OFFSET_SS + 8)),
                new DiffEntry(EntryFlag.CONT, 16, 8, slice(after, OFFSET_SS + 16)),
                new DiffEntry(EntryFlag.CONT, 24, 8, slice(after, OFFSET_SS + 24)));
        assertEquals(expected, diff.item("settings").orElseThrow().entries());

        byte[] encoded = new DiffEncoder().encode(diff);
        assertEquals(diff, new DiffDecoder().decode(encoded));
        // the entries as stored: header word (offset | size << 31 | flag << 62) and an 8-byte slot
        ByteBuffer entries = ByteBuffer.wrap(encoded).position(Fixtures.firstEntryOffset("settings")).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(OFFSET_XX | (1L << 31) | (1L << 62), entries.getLong(0));
        assertEquals(0x01L, entries.getLong(8));
        assertEquals(OFFSET_SS | (32L << 31) | (2L << 62), entries.getLong(16));
        assertEquals(8 | (8L << 31) | (3L << 62), entries.getLong(32));
        assertEquals(16 | (8L << 31) | (3L << 62), entries.getLong(48));
        assertEquals(24 | (8L << 31) | (3L << 62), entries.getLong(64));
        assertEquals(DiffFormat.HEADER_BYTES + DiffFormat.ITEM_ROW_FIXED_BYTES + "settings".length() + 5 * 16 + 4,
                encoded.length);
    }

    private static byte[] slice(byte[] bytes, int offset) {
        return java.util.Arrays.copyOfRange(bytes, offset, offset + 8);
    }
}
