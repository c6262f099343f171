package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.testing.InMemoryEnvironmentStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The claims of {@code docs/diff-format.md} that its gaps were closed with, each held to the code. */
class DiffFormatSpecTest {
    private final DiffDecoder decoder = new DiffDecoder();

    @ParameterizedTest(name = "blank or forbidden name \"{0}\" is refused")
    @ValueSource(strings = {"", " ", "\t", "\n", "\u000B", "\u001C", "\u001F", "\u1680", "\u2000", "\u2006", "\u2008",
            "\u200A", "\u2028", "\u2029", "\u205F", "\u3000", " \u3000\t", "a/b", "/", "a\u0000b", ".hidden", "."})
    void refusedNames(String name) {
        DiffFormatException refused = assertThrows(DiffFormatException.class, () -> decoder.decode(diffNamed(name)));
        assertTrue(refused.getMessage().contains("invalid name"), refused.getMessage());
    }

    @ParameterizedTest(name = "name \"{0}\" is accepted")
    @ValueSource(strings = {"\u00A0", "\u2007", "\u202F", "\u0085", "\u180E", "\u200B", "\uFEFF", "\uFFFF", "\uFFFE",
            "a b", "a\nb", "\u0001", "x.", "a.b", "\uD83D\uDE00", "日本語"})
    void acceptedNames(String name) {
        assertEquals(name, decoder.decode(diffNamed(name)).items().get(0).name());
    }

    @ParameterizedTest(name = "ill-formed UTF-8 {0} is refused")
    @ValueSource(strings = {"c080", "e080af", "eda080", "edbfbf", "f4908080", "f5808080", "ff", "80", "e282", "f09f98",
            "c3", "61c3"})
    void illFormedUtf8IsRefused(String hex) {
        byte[] name = HexFormat.of().parseHex(hex);
        DiffFormatException refused = assertThrows(DiffFormatException.class, () -> decoder.decode(diffWithNameBytes(name)));
        assertTrue(refused.getMessage().contains("not valid UTF-8"), refused.getMessage());
    }

    @Test
    void namesAreNotNormalized() {
        DiffInfo diff = new DiffInfo(DiffHeader.of(1, 2), List.of(added("\u00E9"), added("e\u0301")));
        assertEquals(2, decoder.decode(new DiffEncoder().encode(diff)).items().size());
    }

    @Test
    void theLargestGapThatMergesIsFourteenBytes() {
        int largest = 0;
        for (int a = 1; a <= 40; a++) {
            for (int b = 1; b <= 40; b++) {
                for (int gap = 1; gap <= 40; gap++) {
                    boolean merges = RunMerger.worthMerging(new ChangedRun(0, a), new ChangedRun(a + gap, b));
                    int slack = (8 * ((a + 7) / 8) - a) + (8 * ((b + 7) / 8) - b);
                    assertEquals(gap <= slack, merges, "a=" + a + " gap=" + gap + " b=" + b);
                    largest = merges ? Math.max(largest, gap) : largest;
                }
            }
        }
        assertEquals(14, largest);
        var merger = new RunMerger();
        assertEquals(List.of(new ChangedRun(0, 16)), merger.merge(List.of(new ChangedRun(0, 1), new ChangedRun(15, 1))));
        assertEquals(2, merger.merge(List.of(new ChangedRun(0, 8), new ChangedRun(9, 8))).size());
        assertEquals(List.of(new ChangedRun(0, 16)), merger.merge(List.of(new ChangedRun(0, 8), new ChangedRun(15, 1))));
    }

    @Test
    void equalRevisionsMakeAValidDiffThatApplies() {
        var base = Fixtures.snapshot(5, "settings", new byte[] {1, 2, 3});
        var target = Fixtures.snapshot(5, "settings", new byte[] {1, 9, 3});
        DiffInfo decoded = decoder.decode(new DiffEncoder().encode(new DiffExtractor().extract(base, target)));
        assertEquals(DiffHeader.of(5, 5), decoded.header());
        var store = new InMemoryEnvironmentStore(base);
        new DiffApplier().apply(store, decoded);
        assertEquals(Fixtures.bytesOf(target), Fixtures.bytesOf(store.read()));
        SyncRefusedException again = assertThrows(SyncRefusedException.class, () -> new DiffApplier().apply(store, decoded));
        assertEquals(SyncRefusedException.Check.BASE_CHECKSUM, again.check(), "a second apply is refused by the content check");
    }

    @Test
    void rowsInAnyOrderDecodeAndApplyAlike() {
        var base = Fixtures.snapshot(1, "a", new byte[] {1}, "b", new byte[] {2, 2}, "gone", new byte[] {3});
        var target = Fixtures.snapshot(2, "new", new byte[] {4}, "b", new byte[] {2, 5}, "a", new byte[] {1});
        DiffInfo extracted = new DiffExtractor().extract(base, target);
        assertEquals(List.of("new", "b", "a", "gone"), extracted.items().stream().map(ItemDiff::name).toList(),
                "a writer lists the target's items in its order, then the removed ones");
        var reversed = new ArrayList<>(extracted.items());
        java.util.Collections.reverse(reversed);
        DiffInfo decoded = decoder.decode(new DiffEncoder().encode(new DiffInfo(extracted.header(), reversed)));
        var store = new InMemoryEnvironmentStore(base);
        new DiffApplier().apply(store, decoded);
        assertEquals(sorted(target), sorted(store.read()));
    }

    @Test
    void anAreaIsBoundedAsItsWholeRunAndItsContsAreNot() {
        byte[] run = new byte[16];
        java.util.Arrays.fill(run, (byte) 7);
        // AREA over [4, 20) of a 20-byte item; its CONT's offset 8 is relative, not an overlap with [4, 20)
        List<DiffEntry> entries = List.of(
                new DiffEntry(EntryFlag.AREA, 4, 16, java.util.Arrays.copyOf(run, 8)),
                new DiffEntry(EntryFlag.INVALID, 0, 0, new byte[0]),
                new DiffEntry(EntryFlag.CONT, 8, 8, java.util.Arrays.copyOf(run, 8)));
        DiffInfo fits = kept(20, entries);
        assertEquals(fits, decoder.decode(new DiffEncoder().encode(fits)));
        // the same run in a 19-byte item: the AREA's whole run ends past the item, though its first 8 bytes fit
        DiffFormatException refused = assertThrows(DiffFormatException.class,
                () -> decoder.decode(new DiffEncoder().encode(kept(19, entries))));
        assertTrue(refused.getMessage().contains("past the end of the item"), refused.getMessage());
    }

    @Test
    void theFirstBrokenRuleInTheDocumentedOrderIsReported() {
        byte[] valid = new DiffEncoder().encode(new DiffInfo(DiffHeader.of(1, 2), List.of(added("settings"))));
        byte[] badVersionAndChecksum = valid.clone();
        badVersionAndChecksum[4] = 2;
        assertMessage("unknown diff format version 2", badVersionAndChecksum);
        byte[] badRevisionsAndChecksum = valid.clone();
        badRevisionsAndChecksum[20] = 0; // target 0 < base 1, checksum not updated
        assertMessage("bad diff checksum", badRevisionsAndChecksum);
        byte[] badRevisionsAndName = valid.clone();
        badRevisionsAndName[20] = 0;
        badRevisionsAndName[34] = '/';
        assertMessage("revisions out of order", Fixtures.resealed(badRevisionsAndName));
        byte[] badNameAndCode = valid.clone();
        badNameAndCode[34] = '/';
        badNameAndCode[34 + 8] = 9;
        assertMessage("invalid name", Fixtures.resealed(badNameAndCode));
        byte[] badCodeAndEntries = valid.clone();
        badCodeAndEntries[34 + 8] = 9;
        badCodeAndEntries[34 + 8 + 17] = 7; // entry count
        assertMessage("unknown change code 9", Fixtures.resealed(badCodeAndEntries));
    }

    private void assertMessage(String expected, byte[] diff) {
        DiffFormatException refused = assertThrows(DiffFormatException.class, () -> decoder.decode(diff));
        assertTrue(refused.getMessage().contains(expected), "expected '" + expected + "', got: " + refused.getMessage());
    }

    private static DiffInfo kept(int length, List<DiffEntry> entries) {
        return new DiffInfo(DiffHeader.of(1, 2), List.of(new ItemDiff("settings", ItemDiff.Change.KEPT, length, length,
                Checksums.crc32c(new byte[length]), 0, entries)));
    }

    private static ItemDiff added(String name) {
        return new ItemDiff(name, ItemDiff.Change.ADDED, 0, 1, 0, Checksums.crc32c(new byte[] {1}),
                List.of(DiffEntry.data(0, new byte[] {1})));
    }

    private static byte[] diffNamed(String name) {
        return diffWithNameBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    /** A valid one-item diff whose item's name bytes are then replaced, and the diff resealed. */
    private static byte[] diffWithNameBytes(byte[] name) {
        String placeholder = "n".repeat(name.length);
        byte[] diff = new DiffEncoder().encode(new DiffInfo(DiffHeader.of(1, 2), List.of(added(placeholder))));
        assertEquals(name.length, ByteBuffer.wrap(diff, DiffFormat.HEADER_BYTES, 2).order(ByteOrder.LITTLE_ENDIAN).getShort());
        System.arraycopy(name, 0, diff, DiffFormat.HEADER_BYTES + 2, name.length);
        return Fixtures.resealed(diff);
    }

    private static java.util.Map<String, String> sorted(dev.duplex.api.EnvironmentSnapshot snapshot) {
        var map = new java.util.TreeMap<String, String>();
        map.put("/revision", Long.toString(snapshot.revision()));
        snapshot.items().forEach(i -> map.put(i.name(), HexFormat.of().formatHex(i.content())));
        return map;
    }
}
