package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictContentType;
import dev.duplex.engine.testing.InMemoryEnvironmentStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container test vector of {@code docs/diff-format.md} ("Test vector (compressed
 * container)"), read from the markdown itself: the header table is what the dump holds, the frame
 * decompresses against the FIG. 5 base dump to the columns dump, the columns rebuild the FIG. 5
 * diff dump, the container decodes to what the plain diff decodes to and applies to the target,
 * and an edit of any byte of the dump is refused.
 */
class ContainerTestVectorTest {
    private static final Pattern BLOCK = Pattern.compile(
            "\\*\\*(Base|Target|Diff|Container|Columns)\\*\\*[^\\n]*?:\\n\\n```text\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CAPTION = Pattern.compile("\\*\\*Container\\*\\*: (\\d+) bytes, CRC32C `0x([0-9A-F]{8})`");
    private static final Pattern DUMP_LINE = Pattern.compile("([0-9A-F]{4})  ((?:[0-9A-F]{2} ){0,15}[0-9A-F]{2})");
    private static final Pattern ROW = Pattern.compile("\\| 0x([0-9A-F]+) \\| (\\d+) \\| ([^|]+?) \\| ([^|]+?) \\|");
    private static final String FIG5 = "## Test vector (FIG. 5)";
    private static final String SECTION = "### Test vector (compressed container)";

    private static String specification;

    @BeforeAll
    static void readSpecification() throws IOException {
        specification = Files.readString(specificationFile(), StandardCharsets.UTF_8);
    }

    @Test
    void theContainerDumpDecompressesRebuildsAndDecodesAsStated() {
        Map<String, byte[]> dumps = dumps(specification);
        byte[] container = dumps.get("Container");
        byte[] base = dumps.get("Base");
        byte[] plain = dumps.get("Diff");

        Matcher caption = CAPTION.matcher(specification);
        assertTrue(caption.find(specification.indexOf(SECTION)), "container caption");
        assertEquals(Integer.parseInt(caption.group(1)), container.length, "stated size");
        assertEquals((int) Long.parseLong(caption.group(2), 16), Checksums.crc32c(container, 0, container.length - 4),
                "stated CRC32C");
        checkTable(container);

        DiffContainerHeader header = new DiffDecoder().containerHeader(container);
        byte[] columns = new byte[header.diffLength()];
        int length;
        try (var zstd = new ZstdDecompressCtx()) {
            zstd.loadDict(base, ZstdDictContentType.RAW_CONTENT);
            length = zstd.decompressByteArray(columns, 0, columns.length, container, DiffContainerFormat.HEADER_BYTES,
                    header.frameLength());
        }
        assertArrayEquals(dumps.get("Columns"), java.util.Arrays.copyOf(columns, length),
                "the frame, decompressed with the base as dictionary, is the columns dump");
        assertArrayEquals(plain, EntryColumns.join(dumps.get("Columns"), header.diffLength(), header.entryCount()),
                "the columns rebuild the FIG. 5 diff dump");
        assertArrayEquals(dumps.get("Columns"), EntryColumns.split(plain, header.entryCount()),
                "the FIG. 5 diff dump laid out as columns is the columns dump");

        var baseInfo = Fixtures.snapshot(1, "settings", base);
        DiffInfo decoded = new DiffDecoder().decode(container, DiffBase.of(baseInfo));
        assertEquals(new DiffDecoder().decode(plain), decoded, "the container holds the FIG. 5 diff");
        var store = new InMemoryEnvironmentStore(baseInfo);
        new DiffApplier().apply(store, decoded);
        assertArrayEquals(dumps.get("Target"), store.read().item("settings").orElseThrow().content());
        byte[] own = new DiffEncoder().encodeContainer(decoded, DiffBase.of(baseInfo));
        assertEquals(decoded, new DiffDecoder().decode(own, DiffBase.of(baseInfo)),
                "this build's own container of the diff decodes to the same diff");
        assertEquals(plain.length, new DiffEncoder().encode(decoded, DiffBase.of(baseInfo)).length,
                "a writer keeps this diff plain: the container is larger");
    }

    @Test
    void everyEditedByteOfTheContainerDumpIsRefused() {
        Map<String, byte[]> dumps = dumps(specification);
        byte[] container = dumps.get("Container");
        DiffBase base = DiffBase.ofContent(dumps.get("Base"));
        for (int at = 0; at < container.length; at++) {
            byte[] edited = container.clone();
            edited[at] ^= 0x5A;
            assertThrows(DiffFormatException.class, () -> new DiffDecoder().decode(edited, base), "byte " + at);
        }
    }

    /** Every row of the header table against the dump: offset, size and value. */
    private static void checkTable(byte[] container) {
        String section = specification.substring(specification.indexOf(SECTION));
        Matcher row = ROW.matcher(section);
        int rows = 0;
        int covered = 0;
        while (row.find()) {
            int offset = Integer.parseInt(row.group(1), 16);
            int size = Integer.parseInt(row.group(2));
            String field = row.group(3);
            String value = row.group(4);
            assertEquals(covered, offset, "the table covers the dump without gaps, at " + field);
            covered += size;
            rows++;
            if (field.equals("frame")) {
                assertTrue(value.contains("28 B5 2F FD"), value);
                assertEquals("28B52FFD", HexFormat.of().withUpperCase().formatHex(container, offset, offset + 4));
                continue;
            }
            long stored = little(container, offset, size);
            long stated = value.startsWith("`") ? little(value.substring(1, value.length() - 1).getBytes(
                    StandardCharsets.US_ASCII), 0, size)
                    : value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
            assertEquals(stated, stored, field);
        }
        assertEquals(12, rows);
        assertEquals(container.length, covered, "the table covers every byte");
    }

    private static long little(byte[] bytes, int offset, int size) {
        byte[] padded = new byte[8];
        System.arraycopy(bytes, offset, padded, 0, size);
        return ByteBuffer.wrap(padded).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** The dumps of the FIG. 5 test vector and of the container's, by caption. */
    private static Map<String, byte[]> dumps(String markdown) {
        var dumps = new LinkedHashMap<String, byte[]>();
        Matcher block = BLOCK.matcher(markdown);
        int from = markdown.indexOf(FIG5);
        while (block.find(from)) {
            dumps.put(block.group(1), dump(block.group(2)));
            from = block.end();
        }
        assertEquals(java.util.Set.of("Base", "Target", "Diff", "Container", "Columns"), dumps.keySet());
        return dumps;
    }

    private static byte[] dump(String block) {
        var out = new java.io.ByteArrayOutputStream();
        for (String text : block.strip().split("\n")) {
            Matcher line = DUMP_LINE.matcher(text);
            assertTrue(line.matches(), "dump line: '" + text + "'");
            assertEquals(out.size(), Integer.parseInt(line.group(1), 16), "offset of dump line " + text);
            out.writeBytes(HexFormat.ofDelimiter(" ").parseHex(line.group(2)));
        }
        return out.toByteArray();
    }

    private static Path specificationFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs").resolve("diff-format.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("docs/diff-format.md not found above " + Path.of("").toAbsolutePath());
    }
}
