package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdCompressCtx;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.testing.InMemoryEnvironmentStore;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compressed container: what it saves, and every way a hostile or mistaken one is refused. */
class DiffContainerTest {
    private final Random random = new Random(7);
    /** A store shaped like a firmware variable store: records in the front, erased (0xFF) space behind. */
    private final byte[] before = firmwareLike(random);
    private final byte[] after = appendedRecords(before);
    private final EnvironmentSnapshot base = Fixtures.snapshot(7, "settings", before, "configuration", new byte[] {1, 2, 3});
    private final EnvironmentSnapshot target = Fixtures.snapshot(8, "settings", after, "configuration", new byte[] {1, 2, 3});
    private final DiffInfo diff = new DiffExtractor().extract(base, target);
    private final byte[] container = new DiffEncoder().encodeContainer(diff, DiffBase.of(base));
    private final DiffDecoder decoder = new DiffDecoder();

    @Test
    void aFirmwareLikeChangeIsMuchSmallerAsAContainerAndDecodesAndAppliesToTheTarget() {
        byte[] plain = new DiffEncoder().encode(diff);
        assertTrue(container.length * 4 < plain.length, container.length + " vs " + plain.length);
        assertArrayEquals(container, new DiffEncoder().encode(diff, DiffBase.of(base)), "the writer picks the smaller");

        DiffInfo decoded = decoder.decode(container, DiffBase.of(base));
        assertEquals(diff, decoded);
        var store = new InMemoryEnvironmentStore(base);
        new DiffApplier().apply(store, decoded);
        assertEquals(Fixtures.bytesOf(target), Fixtures.bytesOf(store.read()));

        DiffContainerHeader header = decoder.containerHeader(container);
        assertEquals(7, header.baseRevision());
        assertEquals(8, header.targetRevision());
        assertEquals(plain.length, header.diffLength());
        assertEquals(diff.entryCount(), header.entryCount());
        assertEquals(before.length + 3, header.baseLength());
        assertEquals(container.length, header.totalLength());
    }

    @Test
    void aSmallChangeStaysPlainBecauseTheContainerWouldBeLarger() {
        byte[] one = before.clone();
        one[100] ^= 1;
        DiffInfo small = new DiffExtractor().extract(base, Fixtures.snapshot(8, "settings", one, "configuration",
                new byte[] {1, 2, 3}));
        byte[] written = new DiffEncoder().encode(small, DiffBase.of(base));
        assertFalse(DiffDecoder.isContainer(written));
        assertArrayEquals(new DiffEncoder().encode(small), written);
        assertTrue(new DiffEncoder().encodeContainer(small, DiffBase.of(base)).length > written.length);
        assertEquals(small, decoder.decode(written, DiffBase.of(base)), "a plain diff decodes with or without a base");
    }

    @Test
    void aWrongBaseIsRefusedInOneLineBeforeAnythingIsDecompressed() {
        byte[] other = before.clone();
        other[5] ^= 1;
        var wrong = Fixtures.snapshot(7, "settings", other, "configuration", new byte[] {1, 2, 3});
        DiffFormatException e = assertThrows(DiffFormatException.class,
                () -> decoder.decode(container, DiffBase.of(wrong)));
        assertInstanceOf(DiffBaseMismatchException.class, e);
        assertTrue(e.getMessage().startsWith("wrong base for the compressed diff 7 -> 8"), e.getMessage());
        assertTrue(e.getMessage().contains("revision 7"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        var shorter = Fixtures.snapshot(7, "settings", before);
        assertInstanceOf(DiffBaseMismatchException.class,
                assertThrows(DiffFormatException.class, () -> decoder.decode(container, DiffBase.of(shorter))));
    }

    @Test
    void theBaseIsTheItemsContentsInNameOrderWhateverTheStoresOrder() {
        var reordered = Fixtures.snapshot(7, "configuration", new byte[] {1, 2, 3}, "settings", before);
        assertEquals(diff, decoder.decode(container, DiffBase.of(reordered)));
    }

    @Test
    void withoutItsBaseAContainerIsRefusedWithWhatItNeeds() {
        DiffFormatException e = assertThrows(DiffFormatException.class, () -> decoder.decode(container));
        assertTrue(e.getMessage().contains("compressed diff"), e.getMessage());
        assertTrue(e.getMessage().contains("base"), e.getMessage());
    }

    @Test
    void truncatedAndTrailingBytesAreRefused() {
        for (int length : new int[] {0, 3, 47, container.length - 1}) {
            assertThrows(DiffFormatException.class,
                    () -> decoder.decode(Arrays.copyOf(container, length), DiffBase.of(base)), "length " + length);
        }
        byte[] longer = Arrays.copyOf(container, container.length + 1);
        assertTrue(assertThrows(DiffFormatException.class, () -> decoder.decode(longer, DiffBase.of(base)))
                .getMessage().contains("trailing bytes"));
        // trailing bytes the header owns up to, sealed: a second frame after the first
        byte[] twoFrames = withFrame(container, concat(frame(container), frame(container)));
        assertTrue(assertThrows(DiffFormatException.class, () -> decoder.decode(twoFrames, DiffBase.of(base)))
                .getMessage().contains("not one frame"));
        byte[] garbageAfter = withFrame(container, concat(frame(container), new byte[] {0}));
        assertThrows(DiffFormatException.class, () -> decoder.decode(garbageAfter, DiffBase.of(base)));
        byte[] skippable = withFrame(container, concat(frame(container), new byte[] {0x50, 0x2A, 0x4D, 0x18, 0, 0, 0, 0}));
        assertThrows(DiffFormatException.class, () -> decoder.decode(skippable, DiffBase.of(base)));
        byte[] noFrame = withFrame(container, new byte[0]);
        assertThrows(DiffFormatException.class, () -> decoder.decode(noFrame, DiffBase.of(base)));
    }

    /**
     * A decompression bomb: a 1 GiB frame of zeros is a few KiB; declared as 256 MiB (the limit) it
     * is cut off at 256 MiB, declared as more it is refused before decompressing.
     */
    @Test
    void aDecompressionBombIsRefusedAtTheDeclaredLength() {
        byte[] zeros = new byte[64 << 20];
        byte[] bomb;
        try (var zstd = new ZstdCompressCtx()) {
            zstd.setLevel(3);
            bomb = zstd.compress(zeros);
        }
        assertTrue(bomb.length < 64 << 10);
        byte[] declaredSmall = withFrame(container, bomb);
        assertTrue(assertThrows(DiffFormatException.class, () -> decoder.decode(declaredSmall, DiffBase.of(base)))
                .getMessage().contains("more than the declared"));
        byte[] declaredHuge = putInt(withFrame(container, bomb), 36, DiffContainerFormat.MAX_DIFF_BYTES + 1);
        assertTrue(assertThrows(DiffFormatException.class,
                () -> decoder.decode(Fixtures.resealed(declaredHuge), DiffBase.of(base))).getMessage().contains("must be"));
        byte[] declaredNegative = putInt(container.clone(), 36, -1);
        assertThrows(DiffFormatException.class, () -> decoder.decode(Fixtures.resealed(declaredNegative), DiffBase.of(base)));
    }

    @Test
    void headerFieldsThatDisagreeWithTheDiffInsideAreRefusedEvenResealed() {
        int[][] edits = {{12, 6}, {20, 9}, {36, 1}, {40, 1}, {40, 0}};
        for (int[] edit : edits) {
            ByteBuffer in = ByteBuffer.wrap(container).order(ByteOrder.LITTLE_ENDIAN);
            byte[] edited = container.clone();
            if (edit[0] == 12 || edit[0] == 20) {
                ByteBuffer.wrap(edited).order(ByteOrder.LITTLE_ENDIAN).putLong(edit[0], edit[1]);
            } else {
                putInt(edited, edit[0], in.getInt(edit[0]) + (edit[1] == 1 ? 1 : -1));
            }
            assertThrows(DiffFormatException.class, () -> decoder.decode(Fixtures.resealed(edited), DiffBase.of(base)),
                    "field at " + edit[0]);
        }
        byte[] tooManyEntries = putInt(container.clone(), 40, Integer.MAX_VALUE);
        assertTrue(assertThrows(DiffFormatException.class,
                () -> decoder.decode(Fixtures.resealed(tooManyEntries), DiffBase.of(base))).getMessage().contains("entries"));
    }

    @Test
    void aBaseThatLooksLikeAZstdDictionaryIsStillJustBytes() {
        byte[] magic = before.clone();
        ByteBuffer.wrap(magic).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0xEC30A437);
        var magicBase = Fixtures.snapshot(1, "settings", magic);
        var magicTarget = Fixtures.snapshot(2, "settings", appendedRecords(magic));
        DiffInfo d = new DiffExtractor().extract(magicBase, magicTarget);
        assertEquals(d, decoder.decode(new DiffEncoder().encodeContainer(d, DiffBase.of(magicBase)), DiffBase.of(magicBase)));
    }

    @Test
    void anEmptyBaseIsAnEmptyDictionary() {
        var empty = new EnvironmentSnapshot(0, java.util.List.of());
        DiffInfo added = new DiffExtractor().extract(empty, Fixtures.snapshot(1, "settings", after));
        byte[] bytes = new DiffEncoder().encodeContainer(added, DiffBase.of(empty));
        assertEquals(added, decoder.decode(bytes, DiffBase.of(empty)));
        assertEquals(0, decoder.containerHeader(bytes).baseLength());
    }

    @Test
    void checkHeadAcceptsAContainerAndBoundsItsDecodedLength() {
        byte[] head = Arrays.copyOf(container, DiffContainerFormat.HEADER_BYTES);
        assertEquals(container.length, decoder.checkHead(head, container.length));
        assertEquals(new DiffEncoder().encode(diff).length, decoder.diffLength(head, container.length));
        assertThrows(DiffFormatException.class, () -> decoder.checkHead(head, container.length + 1));
    }

    private static byte[] firmwareLike(Random random) {
        byte[] bytes = new byte[256 * 1024];
        Arrays.fill(bytes, (byte) 0xFF);
        int at = 0;
        for (int i = 0; i < 60; i++) {
            byte[] record = record(random, i);
            System.arraycopy(record, 0, bytes, at, record.length);
            at += record.length;
        }
        return bytes;
    }

    /** Copies of some records appended after the last one, the old copies' state byte flipped: what a variable update does. */
    private static byte[] appendedRecords(byte[] before) {
        byte[] after = before.clone();
        int end = before.length;
        while (end > 0 && before[end - 1] == (byte) 0xFF) {
            end--;
        }
        int source = 0;
        for (int i = 0; i < 20; i++) {
            int length = 64 + (i * 37) % 200;
            System.arraycopy(before, source, after, end, length);
            after[end + 8] = (byte) i;
            after[source + 2] &= (byte) 0xFC;
            end += length;
            source += 300;
        }
        return after;
    }

    private static byte[] record(Random random, int index) {
        byte[] record = new byte[96 + random.nextInt(300)];
        byte[] guid = new byte[16];
        random.nextBytes(guid);
        System.arraycopy(new byte[] {(byte) 0xAA, 0x55, 0x3F, 0}, 0, record, 0, 4);
        System.arraycopy(guid, 0, record, 8, 16);
        byte[] name = ("Variable" + index).getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        System.arraycopy(name, 0, record, 24, name.length);
        for (int i = 24 + name.length; i < record.length; i++) {
            record[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 0);
        }
        return record;
    }

    private static byte[] frame(byte[] container) {
        return Arrays.copyOfRange(container, DiffContainerFormat.HEADER_BYTES, container.length - 4);
    }

    /** The container with another frame, its total length and CRC32C fixed: only the frame is wrong. */
    private static byte[] withFrame(byte[] container, byte[] frame) {
        var out = new ByteArrayOutputStream();
        out.write(container, 0, DiffContainerFormat.HEADER_BYTES);
        out.writeBytes(frame);
        out.writeBytes(new byte[4]);
        byte[] bytes = out.toByteArray();
        putInt(bytes, 8, bytes.length);
        return Fixtures.resealed(bytes);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] putInt(byte[] bytes, int at, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return bytes;
    }
}
