package dev.duplex.engine.envsync;

import dev.duplex.engine.testing.InMemoryEnvironmentStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.PlatformException;
import dev.duplex.engine.envsync.SyncRefusedException.Check;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every refusal and failure leaves the target byte-for-byte as it was. */
class DiffApplierTest {
    private final Random random = new Random(3);
    private final byte[] settings = Fixtures.random(random, 3000);
    private final byte[] configuration = Fixtures.random(random, 500);
    private final EnvironmentSnapshot base = Fixtures.snapshot(4, "settings", settings, "configuration", configuration);
    private final EnvironmentSnapshot target = Fixtures.snapshot(5, "settings", Fixtures.mutate(random, settings, 10, 30),
            "configuration", Fixtures.mutate(random, configuration, 2, 5));
    private final DiffInfo diff = new DiffExtractor().extract(base, target);
    private final DiffApplier applier = new DiffApplier();

    private void refused(EnvironmentSnapshot storeContent, DiffInfo diff, Check check, String expected) {
        var store = new InMemoryEnvironmentStore(storeContent);
        List<Object> before = Fixtures.bytesOf(store.read());
        var e = assertThrows(SyncRefusedException.class, () -> applier.apply(store, diff));
        assertEquals(check, e.check(), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(before, Fixtures.bytesOf(store.read()));
        assertEquals(0, store.writes);
    }

    @Test
    void appliesInOneWrite() {
        var store = new InMemoryEnvironmentStore(base);
        AppliedWrite write = applier.apply(store, diff);
        assertEquals(Fixtures.bytesOf(target), Fixtures.bytesOf(store.read()));
        assertEquals(1, store.writes);
        assertEquals(5, write.toRevision());
    }

    @Test
    void wrongSignature() {
        refused(base, new DiffInfo(new DiffHeader(0x12345678, 1, 4, 5), diff.items()), Check.SIGNATURE, "not a Duplex diff");
    }

    @Test
    void unknownVersion() {
        refused(base, new DiffInfo(new DiffHeader(DiffFormat.SIGNATURE, 9, 4, 5), diff.items()), Check.VERSION,
                "version 9 is not supported");
    }

    @Test
    void revisionMismatch() {
        refused(Fixtures.snapshot(3, "settings", settings, "configuration", configuration), diff, Check.REVISION,
                "the store is at revision 3 but the diff goes from revision 4 to 5");
    }

    @Test
    void applyingTwiceIsARevisionMismatch() {
        var store = new InMemoryEnvironmentStore(base);
        applier.apply(store, diff);
        List<Object> applied = Fixtures.bytesOf(store.read());
        var e = assertThrows(SyncRefusedException.class, () -> applier.apply(store, diff));
        assertEquals(Check.REVISION, e.check());
        assertTrue(e.getMessage().contains("already applied"), e.getMessage());
        assertEquals(applied, Fixtures.bytesOf(store.read()));
    }

    @Test
    void baseChecksumMismatch() {
        byte[] drifted = settings.clone();
        drifted[100] ^= 1;
        refused(Fixtures.snapshot(4, "settings", drifted, "configuration", configuration), diff, Check.BASE_CHECKSUM,
                "item 'settings' has length 3000 and CRC32C");
    }

    @Test
    void unknownItemInTheStore() {
        refused(Fixtures.snapshot(4, "settings", settings, "configuration", configuration, "extra", new byte[1]), diff,
                Check.ITEM_SET, "the store has item 'extra'");
    }

    @Test
    void entryPastTheEnd() {
        ItemDiff item = diff.item("configuration").orElseThrow();
        var bad = new ItemDiff(item.name(), item.change(), item.lengthBefore(), item.lengthAfter(), item.crcBefore(),
                item.crcAfter(), List.of(DiffEntry.data(498, new byte[] {1, 2, 3, 4})));
        refused(base, new DiffInfo(diff.header(), List.of(diff.item("settings").orElseThrow(), bad)), Check.ENTRY_BOUNDS,
                "past the end of the item (length 500)");
    }

    @Test
    void storeFailingMidwayLeavesItUntouched() {
        var store = new FaultyEnvironmentStore(base, FaultyEnvironmentStore.Fault.FAIL_MIDWAY, 1);
        List<Object> before = Fixtures.bytesOf(store.read());
        assertThrows(PlatformException.class, () -> applier.apply(store, diff));
        assertEquals(before, Fixtures.bytesOf(store.read()));
        assertEquals(1, store.writes, "the applier issues exactly one write");
    }

    @Test
    void fullWriteFailingMidwayLeavesItUntouched() {
        var store = new FaultyEnvironmentStore(base, FaultyEnvironmentStore.Fault.FAIL_MIDWAY, 1);
        List<Object> before = Fixtures.bytesOf(store.read());
        assertThrows(PlatformException.class, () -> new FullWriter().write(store, target));
        assertEquals(before, Fixtures.bytesOf(store.read()));
        assertEquals(1, store.writes);
    }

    @Test
    void corruptedWriteIsReportedLoudly() {
        var store = new FaultyEnvironmentStore(base, FaultyEnvironmentStore.Fault.CORRUPT_AFTER_WRITE, 1);
        var e = assertThrows(TargetVerificationException.class, () -> applier.apply(store, diff));
        assertTrue(e.getMessage().contains("do not start the standby"), e.getMessage());
        assertTrue(e.getMessage().contains("reads back with length"), e.getMessage());
    }

    @Test
    void fullWriteRefusesToGoBack() {
        var store = new InMemoryEnvironmentStore(target);
        var e = assertThrows(SyncRefusedException.class, () -> new FullWriter().write(store, base));
        assertEquals(Check.REVISION, e.check());
        assertEquals(0, store.writes);
    }

    @Test
    void entriesThatDoNotProduceTheirOwnAfterChecksumAreRefusedBeforeWriting() {
        // The case: a valid file checksum, a 4 KiB base, a claimed 32 MiB result whose
        // after-CRC the entries cannot produce. Nothing may be written.
        byte[] small = Fixtures.random(random, 4096);
        var item = new ItemDiff("settings", ItemDiff.Change.KEPT, small.length, 32 << 20, Checksums.crc32c(small),
                0x1234_5678, List.of(DiffEntry.data(5, new byte[] {1})));
        refused(Fixtures.snapshot(4, "settings", small), new DiffInfo(DiffHeader.of(4, 5), List.of(item)),
                Check.RESULT_CHECKSUM, "do not produce the diff's own after checksum");
    }

    @Test
    void anAddedItemWhoseEntriesDoNotProduceItsChecksumIsRefusedBeforeWriting() {
        var added = new ItemDiff("extra", ItemDiff.Change.ADDED, 0, 100, 0, 0x0bad_f00d,
                List.of(DiffEntry.data(0, new byte[] {7})));
        var items = new java.util.ArrayList<>(diff.items());
        items.add(added);
        refused(base, new DiffInfo(diff.header(), items), Check.RESULT_CHECKSUM, "item 'extra'");
    }

    @Test
    void aClaimedLengthOfTwoGibibytesIsRefusedWithoutAllocatingIt() {
        // A header claiming 2^31 - 1 bytes after used to end in an OutOfMemoryError; the result's
        // checksum is computed without building it, so the refusal costs no memory.
        var item = new ItemDiff("settings", ItemDiff.Change.KEPT, settings.length, Integer.MAX_VALUE,
                Checksums.crc32c(settings), 0, List.of());
        var items = List.of(item, diff.item("configuration").orElseThrow());
        long usedBefore = usedHeap();
        refused(base, new DiffInfo(diff.header(), items), Check.RESULT_CHECKSUM, "length " + Integer.MAX_VALUE);
        assertTrue(usedHeap() - usedBefore < 256L << 20, "no 2 GiB buffer was allocated");
    }

    @Test
    void aCorrectResultOfAGrownAndPatchedItemIsAccepted() {
        byte[] grown = java.util.Arrays.copyOf(settings, 5000);
        grown[4999] = 9;
        grown[10] ^= 0x55;
        EnvironmentSnapshot next = Fixtures.snapshot(5, "settings", grown, "configuration", configuration);
        var store = new InMemoryEnvironmentStore(base);
        applier.apply(store, new DiffExtractor().extract(base, next));
        assertEquals(Fixtures.bytesOf(next), Fixtures.bytesOf(store.read()));
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
