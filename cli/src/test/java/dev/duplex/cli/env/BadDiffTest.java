package dev.duplex.cli.env;

import dev.duplex.cli.CliRun;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each bad diff of the list, crafted from a valid one (and re-checksummed, so that the
 * decoder reaches the rule under test), is refused by {@code duplex env apply} with its own
 * message, and the target keeps every byte.
 *
 * <p>The diff: a 64-byte item named {@code item}, {@code DATA(0x13, 1)}, {@code AREA(0x20, 16)},
 * {@code CONT(+8, 8)}. Its layout (docs/diff-format.md): header 0-31, item row 32-58, entries
 * at 59, 75, 91, checksum 107-110.
 */
class BadDiffTest {
    private static final int FIRST_ENTRY = 32 + 2 + 4 + 1 + 4 * 5;

    @TempDir
    Path dir;

    private byte[] oldBytes;
    private byte[] valid;
    private Path target;

    @BeforeEach
    void validDiff() throws IOException {
        oldBytes = new byte[64];
        for (int i = 0; i < oldBytes.length; i++) {
            oldBytes[i] = (byte) (i * 7);
        }
        byte[] newBytes = oldBytes.clone();
        newBytes[0x13] ^= 1;
        for (int i = 0x20; i < 0x30; i++) {
            newBytes[i] ^= (byte) 0xff;
        }
        Path from = Files.write(dir.resolve("old"), oldBytes);
        Path to = Files.write(dir.resolve("new"), newBytes);
        Path out = dir.resolve("valid.dxdf");
        CliRun made = CliRun.of("env", "diff", "--from", from.toString(), "--to", to.toString(), "--out",
                out.toString(), "--item", "item", "--base-revision", "1");
        assertEquals(0, made.exitCode(), made.toString());
        valid = Files.readAllBytes(out);
        assertEquals(FIRST_ENTRY + 3 * 16 + 4, valid.length, "the layout this test assumes");
        target = Files.write(dir.resolve("target"), oldBytes);
    }

    static Stream<Arguments> badDiffs() {
        return Stream.of(
                bad("truncated file", d -> Arrays.copyOf(d, 20), "truncated diff"),
                bad("wrong signature", d -> sealed(put(d, 0, "XXXX".getBytes())), "wrong signature"),
                bad("unknown version", d -> sealed(putShort(d, 4, 9)), "unknown diff format version 9"),
                bad("changed byte", d -> flip(d, FIRST_ENTRY + 8), "bad diff checksum"),
                bad("revisions out of order", d -> sealed(putLong(d, 12, 5)), "revisions out of order"),
                bad("entry past the end", d -> sealed(entry(d, 0, 1, 63, 2)), "past the end of the item"),
                bad("overlapping entries", d -> sealed(entry(d, 0, 1, 0x21, 1)), "overlaps the previous entry"),
                bad("CONT without its AREA", d -> sealed(entry(d, 0, 3, 0x13, 1)), "CONT without its AREA"),
                bad("DATA over 8 bytes", d -> sealed(entry(d, 0, 1, 0x13, 9)), "DATA entry of size 9"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDiffs")
    void isRefusedWithItsOwnMessageAndTheTargetKeepsEveryByte(String name, UnaryOperator<byte[]> damage,
            String expected) throws IOException {
        Path diff = Files.write(dir.resolve("bad.dxdf"), damage.apply(valid.clone()));

        CliRun applied = CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString());

        assertEquals(1, applied.exitCode(), applied.toString());
        assertEquals(1, applied.err().lines().count(), applied.toString());
        assertTrue(applied.err().contains(expected), applied.toString());
        assertTrue(applied.err().contains("is unchanged"), applied.toString());
        assertArrayEquals(oldBytes, Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count());
        }
    }

    private static Arguments bad(String name, UnaryOperator<byte[]> damage, String expected) {
        return Arguments.of(name, damage, expected);
    }

    private static ByteBuffer le(byte[] d) {
        return ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] put(byte[] d, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, d, at, bytes.length);
        return d;
    }

    private static byte[] putShort(byte[] d, int at, int value) {
        le(d).putShort(at, (short) value);
        return d;
    }

    private static byte[] putLong(byte[] d, int at, long value) {
        le(d).putLong(at, value);
        return d;
    }

    private static byte[] flip(byte[] d, int at) {
        d[at] ^= 0x10;
        return d;
    }

    /** Rewrites entry {@code index}'s header word: flag, offset, size (docs/diff-format.md). */
    private static byte[] entry(byte[] d, int index, int flag, int offset, int size) {
        long word = offset | ((long) size << 31) | ((long) flag << 62);
        le(d).putLong(FIRST_ENTRY + 16 * index, word);
        return d;
    }

    /** Recomputes the trailing CRC32C so that the damage is found by the rule under test, not by the checksum. */
    private static byte[] sealed(byte[] d) {
        CRC32C crc = new CRC32C();
        crc.update(d, 0, d.length - 4);
        le(d).putInt(d.length - 4, (int) crc.getValue());
        return d;
    }
}
