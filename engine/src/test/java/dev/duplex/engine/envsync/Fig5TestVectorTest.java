package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.testing.InMemoryEnvironmentStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The test vector of {@code docs/diff-format.md} ("Test vector (FIG. 5)"), read from the
 * markdown file itself, so the specification and the code cannot drift apart: the diff dump
 * decodes to exactly the fields the table states, every byte of the dump is described by one
 * row, the stated checksums are the real ones, applying the diff to the stated base gives the
 * stated target, and extracting and encoding that change gives the dump byte for byte.
 */
class Fig5TestVectorTest {
    private static final Pattern CAPTION = Pattern.compile(
            "\\*\\*(Base|Target|Diff)\\*\\*: ([^\\n]*?):\\n\\n```text\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern ITEM_CAPTION = Pattern.compile(
            "revision (\\d+), item `([^`]+)`, (\\d+) bytes, CRC32C `0x([0-9A-F]{8})`");
    private static final Pattern DIFF_CAPTION = Pattern.compile("(\\d+) bytes, CRC32C `0x([0-9A-F]{8})`");
    private static final Pattern DUMP_LINE = Pattern.compile("([0-9A-F]{4})  ((?:[0-9A-F]{2} ){0,15}[0-9A-F]{2})");
    private static final Pattern ROW = Pattern.compile("\\| 0x([0-9A-F]+) \\| (\\d+) \\| ([^|]+?) \\| ([^|]+?) \\|");
    private static final Pattern HEADER_WORD = Pattern.compile(
            "0x([0-9A-F]{16}) \\((INVALID|DATA|AREA|CONT), offset (0x[0-9A-F]+|\\d+), size (\\d+)\\)");
    private static final String SECTION = "## Test vector (FIG. 5)";

    private static String specification;

    @BeforeAll
    static void readSpecification() throws IOException {
        String full = Files.readString(specificationFile(), StandardCharsets.UTF_8);
        // The container's section and its own test vector follow; ContainerTestVectorTest checks them.
        int container = full.indexOf("\n## Compressed container");
        specification = container < 0 ? full : full.substring(0, container + 1);
    }

    @Test
    void theSpecificationsDumpDecodesAppliesAndReencodesAsStated() {
        verify(specification);
    }

    /** The check above can fail: an edit of any byte of the diff dump is caught. */
    @Test
    void everyEditedByteOfTheDiffDumpIsCaught() {
        int section = specification.indexOf(SECTION);
        Matcher diff = CAPTION.matcher(specification);
        int start = -1;
        while (diff.find(section)) {
            if (diff.group(1).equals("Diff")) {
                start = diff.start(3);
                break;
            }
            section = diff.end();
        }
        assertTrue(start > 0, "no diff dump found");
        Matcher line = DUMP_LINE.matcher(specification.substring(start, specification.indexOf("```", start)));
        int edits = 0;
        while (line.find()) {
            for (int b = 0; b < line.group(2).length(); b += 3) {
                int at = start + line.start(2) + b;
                String original = specification.substring(at, at + 2);
                String replacement = original.equals("5A") ? "A5" : "5A";
                String edited = specification.substring(0, at) + replacement + specification.substring(at + 2);
                assertThrows(AssertionFailedError.class, () -> verify(edited), "byte edit at " + at + " not caught");
                edits++;
            }
        }
        assertEquals(147, edits);
    }

    /** ... and so is an edit of any value the table, or a caption, states. */
    @Test
    void everyEditedStatedValueIsCaught() {
        int section = specification.indexOf(SECTION);
        List<String> edited = new ArrayList<>();
        Matcher row = ROW.matcher(specification);
        while (row.find(section)) {
            int at = row.start(4);
            String value = row.group(4);
            // change the last hex or decimal digit of the value, or a letter of a quoted string
            int digit = lastIndexOfAny(value, "0123456789ABCDEFgs");
            char replacement = value.charAt(digit) == '1' ? '2' : '1';
            edited.add(specification.substring(0, at + digit) + replacement + specification.substring(at + digit + 1));
            section = row.end();
        }
        Matcher crc = Pattern.compile("CRC32C `0x([0-9A-F]{8})`").matcher(specification);
        int from = specification.indexOf(SECTION);
        while (crc.find(from)) {
            int at = crc.start(1);
            char replacement = specification.charAt(at) == '1' ? '2' : '1';
            edited.add(specification.substring(0, at) + replacement + specification.substring(at + 1));
            from = crc.end();
        }
        assertEquals(26 + 3, edited.size(), "table rows and captions with a checksum");
        for (String text : edited) {
            assertThrows(AssertionFailedError.class, () -> verify(text));
        }
    }

    private static int lastIndexOfAny(String value, String characters) {
        for (int i = value.length() - 1; i >= 0; i--) {
            if (characters.indexOf(value.charAt(i)) >= 0) {
                return i;
            }
        }
        throw new AssertionError("no editable character in " + value);
    }

    /** Every claim of the test vector section of {@code markdown}, checked against the code. */
    private static void verify(String markdown) {
        try {
            verifyClaims(markdown);
        } catch (RuntimeException e) {
            // a refusal by the decoder or applier is a failed claim too, reported as such
            throw new AssertionFailedError("the test vector does not decode or apply: " + e, e);
        }
    }

    private static void verifyClaims(String markdown) {
        int section = markdown.indexOf(SECTION);
        assertTrue(section >= 0, "the specification has no section '" + SECTION + "'");
        String text = markdown.substring(section);
        Matcher caption = CAPTION.matcher(text);
        EnvironmentSnapshot base = null;
        EnvironmentSnapshot target = null;
        byte[] diff = null;
        while (caption.find()) {
            byte[] bytes = dump(caption.group(3));
            switch (caption.group(1)) {
                case "Base" -> base = snapshot(caption.group(2), bytes);
                case "Target" -> target = snapshot(caption.group(2), bytes);
                case "Diff" -> {
                    Matcher stated = DIFF_CAPTION.matcher(caption.group(2));
                    assertTrue(stated.matches(), "diff caption: " + caption.group(2));
                    assertEquals(Integer.parseInt(stated.group(1)), bytes.length, "the diff's stated size");
                    assertEquals((int) Long.parseLong(stated.group(2), 16),
                            Checksums.crc32c(bytes, 0, bytes.length - DiffFormat.CHECKSUM_BYTES), "the diff's stated CRC32C");
                    diff = bytes;
                }
                default -> fail(caption.group(1));
            }
        }
        assertTrue(base != null && target != null && diff != null, "the section has a base, a target and a diff dump");

        DiffInfo decoded = new DiffDecoder().decode(diff);
        checkTable(text, diff, decoded);
        ItemDiff item = decoded.items().get(0);
        EnvironmentItem baseItem = base.items().get(0);
        EnvironmentItem targetItem = target.items().get(0);
        assertEquals(List.of(baseItem.name(), baseItem.content().length, Checksums.crc32c(baseItem.content()),
                        targetItem.name(), targetItem.content().length, Checksums.crc32c(targetItem.content())),
                List.of(item.name(), item.lengthBefore(), item.crcBefore(), item.name(), item.lengthAfter(), item.crcAfter()),
                "the diff's row describes the stated base and target items");

        var store = new InMemoryEnvironmentStore(base);
        new DiffApplier().apply(store, decoded);
        assertEquals(Fixtures.bytesOf(target), Fixtures.bytesOf(store.read()), "the diff applied to the base is the target");

        assertArrayEquals(diff, new DiffEncoder().encode(new DiffExtractor().extract(base, target)),
                "extracting and encoding the change reproduces the dump byte for byte");
        assertArrayEquals(diff, new DiffEncoder().encode(decoded), "re-encoding the decoded diff reproduces the dump");
    }

    private static EnvironmentSnapshot snapshot(String captionText, byte[] bytes) {
        Matcher stated = ITEM_CAPTION.matcher(captionText);
        assertTrue(stated.matches(), "item caption: " + captionText);
        assertEquals(Integer.parseInt(stated.group(3)), bytes.length, "stated size of " + captionText);
        assertEquals((int) Long.parseLong(stated.group(4), 16), Checksums.crc32c(bytes), "stated CRC32C of " + captionText);
        return Fixtures.snapshot(Long.parseLong(stated.group(1)), stated.group(2), bytes);
    }

    /** The bytes of a dump: each line's offset must be the count of bytes before it, 16 to a line but the last. */
    private static byte[] dump(String block) {
        var out = new java.io.ByteArrayOutputStream();
        String[] lines = block.strip().split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher line = DUMP_LINE.matcher(lines[i]);
            assertTrue(line.matches(), "dump line: '" + lines[i] + "'");
            assertEquals(out.size(), Integer.parseInt(line.group(1), 16), "offset of dump line " + lines[i]);
            byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(line.group(2));
            assertTrue(bytes.length == 16 || i == lines.length - 1, "only the last dump line may be short: " + lines[i]);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    /** The field table: contiguous rows covering every byte, each value in the dump and in the decoded diff. */
    private static void checkTable(String text, byte[] diff, DiffInfo decoded) {
        Matcher row = ROW.matcher(text);
        List<DiffEntry> entries = decoded.items().stream().flatMap(i -> i.entries().stream()).toList();
        int next = 0;
        int rows = 0;
        while (row.find()) {
            int offset = Integer.parseInt(row.group(1), 16);
            int size = Integer.parseInt(row.group(2));
            String field = row.group(3);
            String value = row.group(4);
            assertEquals(next, offset, "row '" + field + "' starts where the previous one ended");
            byte[] stored = Arrays.copyOfRange(diff, offset, offset + size);
            next = offset + size;
            rows++;
            String[] words = field.split(" ");
            int index = words.length > 1 && words[1].matches("\\d+") ? Integer.parseInt(words[1]) : -1;
            String name = index >= 0 ? String.join(" ", Arrays.asList(words).subList(2, words.length)) : field;
            if (index >= 0 && field.startsWith("entry ")) {
                checkEntryField(entries.get(index), name, value, stored);
            } else if (index >= 0 && field.startsWith("item ")) {
                checkItemField(decoded.items().get(index), name, value, stored);
            } else {
                checkHeaderField(decoded, diff, field, value, stored);
            }
        }
        assertEquals(diff.length, next, "the table covers every byte of the diff");
        assertEquals(26, rows, "rows of the field table");
    }

    private static void checkHeaderField(DiffInfo decoded, byte[] diff, String field, String value, byte[] stored) {
        switch (field) {
            case "signature" -> {
                assertArrayEquals(quoted(value).getBytes(StandardCharsets.US_ASCII), stored, field);
                assertEquals(DiffFormat.SIGNATURE, decoded.header().signature());
                assertEquals(decoded.header().signature(), (int) little(stored));
            }
            case "version" -> equal(field, value, stored, decoded.header().version());
            case "reserved" -> equal(field, value, stored, 0);
            case "total length" -> equal(field, value, stored, diff.length);
            case "base revision" -> equal(field, value, stored, decoded.header().baseRevision());
            case "target revision" -> equal(field, value, stored, decoded.header().targetRevision());
            case "item count" -> equal(field, value, stored, decoded.items().size());
            case "diff CRC32C" -> equal(field, value, stored,
                    Integer.toUnsignedLong(Checksums.crc32c(diff, 0, diff.length - DiffFormat.CHECKSUM_BYTES)));
            default -> fail("unknown field '" + field + "' in the test vector table");
        }
    }

    private static void checkItemField(ItemDiff item, String field, String value, byte[] stored) {
        switch (field) {
            case "name length" -> equal(field, value, stored, item.name().getBytes(StandardCharsets.UTF_8).length);
            case "name" -> {
                assertArrayEquals(quoted(value).getBytes(StandardCharsets.UTF_8), stored, field);
                assertEquals(quoted(value), item.name());
            }
            case "change" -> {
                equal(field, value, stored, item.change().code());
                assertTrue(value.endsWith("(" + item.change() + ")"), "change stated as " + value + ", decoded " + item.change());
            }
            case "length before" -> equal(field, value, stored, item.lengthBefore());
            case "length after" -> equal(field, value, stored, item.lengthAfter());
            case "CRC32C before" -> equal(field, value, stored, Integer.toUnsignedLong(item.crcBefore()));
            case "CRC32C after" -> equal(field, value, stored, Integer.toUnsignedLong(item.crcAfter()));
            case "entry count" -> equal(field, value, stored, item.entries().size());
            default -> fail("unknown item field '" + field + "' in the test vector table");
        }
    }

    private static void checkEntryField(DiffEntry entry, String field, String value, byte[] stored) {
        switch (field) {
            case "header word" -> {
                Matcher word = HEADER_WORD.matcher(value);
                assertTrue(word.matches(), "header word stated as " + value);
                long stated = Long.parseUnsignedLong(word.group(1), 16);
                assertEquals(stated, little(stored), "header word in the dump");
                assertEquals(stated, DiffEncoder.headerWord(entry), "header word of the decoded " + entry);
                assertEquals(List.of(word.group(2), (int) number(word.group(3)), Integer.parseInt(word.group(4))),
                        List.of(entry.flag().name(), entry.offset(), entry.size()), "flag, offset and size stated as " + value);
                assertEquals(List.of(entry.flag().code(), entry.offset(), entry.size()),
                        List.of((int) (stated >>> 62), (int) (stated & 0x7FFF_FFFFL), (int) ((stated >>> 31) & 0x7FFF_FFFFL)),
                        "the word's bits 62-63, 0-30 and 31-61");
            }
            case "data" -> {
                byte[] slot = HexFormat.ofDelimiter(" ").parseHex(quoted(value));
                assertArrayEquals(slot, stored, "data slot in the dump");
                assertArrayEquals(Arrays.copyOf(entry.data(), EntryFlag.MAX_DATA), slot, "data slot of the decoded " + entry);
            }
            default -> fail("unknown entry field '" + field + "' in the test vector table");
        }
    }

    /** A stated number (decimal or 0x hex, before any note in parentheses) equals the dump's and the decoded value. */
    private static void equal(String field, String value, byte[] stored, long decoded) {
        long stated = number(value.split(" ")[0]);
        assertEquals(stated, little(stored), field + " in the dump");
        assertEquals(stated, decoded, field + " decoded");
    }

    private static long number(String text) {
        return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
    }

    private static String quoted(String value) {
        assertTrue(value.length() > 2 && value.startsWith("`") && value.endsWith("`"), "expected a `quoted` value: " + value);
        return value.substring(1, value.length() - 1);
    }

    private static long little(byte[] bytes) {
        byte[] padded = Arrays.copyOf(bytes, 8);
        return ByteBuffer.wrap(padded).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** docs/diff-format.md, found by walking up from the working directory (the module's, under Maven). */
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
