package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each malformed diff is refused with its own message. */
class DiffDecoderTest {
    private final DiffDecoder decoder = new DiffDecoder();

    private static byte[] valid() {
        byte[] before = new byte[100];
        byte[] after = before.clone();
        after[3] = 1;
        Arrays.fill(after, 40, 60, (byte) 7);
        return new DiffEncoder().encode(new DiffExtractor().extract(Fixtures.snapshot(1, "settings", before),
                Fixtures.snapshot(2, "settings", after)));
    }

    private static byte[] withEntries(int length, DiffEntry... entries) {
        return new DiffEncoder().encode(new DiffInfo(DiffHeader.of(1, 2),
                List.of(new ItemDiff("settings", ItemDiff.Change.KEPT, length, length, 0, 0, List.of(entries)))));
    }

    private void refused(byte[] bytes, String expected) {
        var e = assertThrows(DiffFormatException.class, () -> decoder.decode(bytes));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void decodesAValidDiff() {
        assertEquals(4, decoder.decode(valid()).items().get(0).entries().size());
    }

    @Test
    void truncatedBelowTheHeader() {
        refused(Arrays.copyOf(valid(), 20), "truncated diff: 20 bytes");
    }

    @Test
    void truncatedFile() {
        byte[] valid = valid();
        refused(Arrays.copyOf(valid, valid.length - 5), "truncated diff: the header says");
    }

    @Test
    void trailingBytes() {
        byte[] valid = valid();
        refused(Arrays.copyOf(valid, valid.length + 3), "trailing bytes");
    }

    @Test
    void wrongSignature() {
        byte[] bytes = valid();
        bytes[0] = 'X';
        refused(bytes, "wrong signature");
    }

    @Test
    void unknownVersion() {
        byte[] bytes = valid();
        bytes[4] = 2;
        refused(bytes, "unknown diff format version 2");
    }

    @Test
    void badChecksumOnAnyChangedByte() {
        byte[] valid = valid();
        for (int i = 12; i < valid.length; i++) {
            byte[] bytes = valid.clone();
            bytes[i] ^= 0x10;
            refused(bytes, "bad diff checksum");
        }
    }

    @Test
    void entryPastTheEndOfTheItem() {
        refused(withEntries(10, DiffEntry.data(8, new byte[] {1, 2, 3})), "past the end of the item (length 10)");
    }

    @Test
    void overlappingEntries() {
        refused(withEntries(100, DiffEntry.data(8, new byte[] {1, 2, 3}), DiffEntry.data(10, new byte[] {4})),
                "overlaps the previous entry, which ends at 11");
    }

    @Test
    void contWithoutItsArea() {
        refused(withEntries(100, new DiffEntry(EntryFlag.CONT, 8, 8, new byte[8])), "is CONT without its AREA");
    }

    @Test
    void areaRunCutShort() {
        refused(withEntries(100, new DiffEntry(EntryFlag.AREA, 0, 24, new byte[8]),
                new DiffEntry(EntryFlag.CONT, 8, 8, new byte[8])), "holds 24 bytes but its entries end after 16");
    }

    @Test
    void dataEntryLongerThanEightBytes() {
        refused(withEntries(100, new DiffEntry(EntryFlag.DATA, 0, 9, new byte[8])), "DATA entry of size 9");
    }

    @Test
    void invalidEntriesAreSkipped() {
        DiffInfo decoded = decoder.decode(withEntries(100, new DiffEntry(EntryFlag.INVALID, 0, 0, new byte[0]),
                DiffEntry.data(4, new byte[] {1})));
        assertEquals(2, decoded.items().get(0).entries().size());
    }

    @Test
    void theHeadIsCheckedAgainstTheFilesRealLengthBeforeTheRestIsRead() {
        byte[] head = Arrays.copyOf(valid(), DiffFormat.HEADER_BYTES);
        java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(8, Integer.MAX_VALUE);
        var claimsTooMuch = assertThrows(DiffFormatException.class, () -> decoder.checkHead(head, 4096));
        assertTrue(claimsTooMuch.getMessage().contains("truncated diff: the header says 2147483647 bytes, the file has 4096"),
                claimsTooMuch.getMessage());
        var zeros = assertThrows(DiffFormatException.class,
                () -> decoder.checkHead(new byte[DiffFormat.HEADER_BYTES], Long.MAX_VALUE));
        assertTrue(zeros.getMessage().contains("wrong signature"), zeros.getMessage());
        var tooShort = assertThrows(DiffFormatException.class, () -> decoder.checkHead(new byte[20], 20));
        assertTrue(tooShort.getMessage().contains("truncated diff: 20 bytes"), tooShort.getMessage());
        byte[] valid = valid();
        assertEquals(valid.length, decoder.checkHead(Arrays.copyOf(valid, DiffFormat.HEADER_BYTES), valid.length));
    }
}
