package dev.duplex.cli.env;

import dev.duplex.cli.CliRun;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.envsync.DiffEncoder;
import dev.duplex.engine.envsync.DiffHeader;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.ItemDiff;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile diffs and targets for {@code env apply} and {@code env inspect}: devices, FIFOs,
 * folders, link loops, truncated files, sizes claimed far beyond the file. Each is refused in
 * bounded time and memory with one line naming the file, and the target keeps every byte. The
 * inputs are counted by kind and the counts printed when the class ends (for the note).
 */
class HostileEnvInputsTest {
    private static final Map<String, AtomicInteger> TRIED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> WRONGLY_ACCEPTED = new ConcurrentHashMap<>();

    @TempDir
    Path dir;

    private byte[] oldBytes;
    private byte[] valid;
    private Path target;
    private Path validDiff;

    @BeforeEach
    void files() throws IOException {
        oldBytes = new byte[4096];
        new Random(5).nextBytes(oldBytes);
        byte[] newBytes = oldBytes.clone();
        newBytes[17] ^= 1;
        Arrays.fill(newBytes, 1000, 1100, (byte) 3);
        Path from = Files.write(dir.resolve("from"), oldBytes);
        Path to = Files.write(dir.resolve("to"), newBytes);
        validDiff = dir.resolve("valid.dxdf");
        CliRun made = CliRun.of("env", "diff", "--from", from.toString(), "--to", to.toString(), "--out",
                validDiff.toString(), "--item", "vars", "--plain"); // the FIG. 5 layout these inputs damage
        assertEquals(0, made.exitCode(), made.toString());
        valid = Files.readAllBytes(validDiff);
        target = Files.write(dir.resolve("target"), oldBytes);
    }

    /** Makes one hostile input in the test's folder and returns its path. */
    @FunctionalInterface
    interface Input {
        Path make(HostileEnvInputsTest test) throws Exception;
    }

    static Stream<Arguments> hostileDiffs() {
        return Stream.of(
                diff("device", "/dev/zero", t -> Path.of("/dev/zero"), "not a regular file"),
                diff("device", "/dev/null", t -> Path.of("/dev/null"), "not a regular file"),
                diff("device", "/dev/urandom", t -> Path.of("/dev/urandom"), "not a regular file"),
                diff("fifo", "a FIFO nobody writes", t -> t.fifo("diff.fifo"), "not a regular file"),
                diff("folder", "a folder", t -> Files.createDirectory(t.dir.resolve("diff.d")), "folder"),
                diff("symlink", "a symlink loop", t -> t.loop("diff-loop"), "symbolic links"),
                diff("symlink", "a dangling symlink", t -> Files.createSymbolicLink(t.dir.resolve("dangling.dxdf"),
                        t.dir.resolve("nowhere")), "does not exist"),
                diff("symlink", "a symlink to /dev/zero", t -> Files.createSymbolicLink(t.dir.resolve("zero.dxdf"),
                        Path.of("/dev/zero")), "not a regular file"),
                diff("missing", "no such file", t -> t.dir.resolve("absent.dxdf"), "does not exist"),
                diff("truncated", "0 bytes", t -> t.diffOf(new byte[0]), "truncated diff: 0 bytes"),
                diff("truncated", "1 byte", t -> t.diffOf(Arrays.copyOf(t.valid, 1)), "truncated diff: 1 bytes"),
                diff("truncated", "20 bytes", t -> t.diffOf(Arrays.copyOf(t.valid, 20)), "truncated diff: 20 bytes"),
                diff("truncated", "35 bytes", t -> t.diffOf(Arrays.copyOf(t.valid, 35)), "truncated diff: 35 bytes"),
                diff("truncated", "header only", t -> t.diffOf(Arrays.copyOf(t.valid, 32)), "truncated diff: 32 bytes"),
                diff("truncated", "one byte short", t -> t.diffOf(Arrays.copyOf(t.valid, t.valid.length - 1)),
                        "truncated diff: the header says"),
                diff("huge claim", "total length 2^31-1", t -> t.diffOf(t.withTotal(Integer.MAX_VALUE)),
                        "the header says 2147483647 bytes"),
                diff("huge claim", "total length 2^32-1", t -> t.diffOf(t.withTotal(-1)),
                        "the header says 4294967295 bytes"),
                diff("huge claim", "item count 2^32-1", t -> t.diffOf(sealed(putInt(t.valid.clone(), 28, -1))),
                        "items do not fit"),
                diff("huge claim", "entry count 2^32-1",
                        t -> t.diffOf(sealed(putInt(t.valid.clone(), 32 + 2 + 4 + 1 + 16, -1))), "entries"),
                diff("huge claim", "length after 2^31-1, lying checksum", t -> t.diffOf(t.lyingItem(4096, Integer.MAX_VALUE)),
                        "do not produce the diff's own after checksum"),
                diff("huge claim", "length after 32 MiB, lying checksum", t -> t.diffOf(t.lyingItem(4096, 32 << 20)),
                        "do not produce the diff's own after checksum"),
                diff("huge claim", "length before 2^31-1", t -> t.diffOf(t.lyingItem(Integer.MAX_VALUE, 4096)),
                        "base checksum check failed"),
                diff("huge claim", "length with the top bit set", t -> t.diffOf(sealed(putInt(t.valid.clone(), 32 + 2 + 4 + 1 + 4, -5))),
                        "lengths are at most"),
                diff("random bytes", "64 KiB of noise", t -> t.diffOf(noise(65536)), "wrong signature"),
                diff("random bytes", "a valid header then noise", t -> t.diffOf(sealed(t.headerThenNoise())), "")
        );
    }

    static Stream<Arguments> hostileTargets() {
        return Stream.of(
                target("device", "/dev/zero", t -> Path.of("/dev/zero"), "not a regular file"),
                target("device", "/dev/null", t -> Path.of("/dev/null"), "not a regular file"),
                target("fifo", "a FIFO", t -> t.fifo("target.fifo"), "not a regular file"),
                target("folder", "a folder", t -> Files.createDirectory(t.dir.resolve("target.d")), "folder"),
                target("symlink", "a symlink loop", t -> t.loop("target-loop"), "symbolic links"),
                target("symlink", "a dangling symlink", t -> Files.createSymbolicLink(t.dir.resolve("dangling"),
                        t.dir.resolve("nowhere")), "does not exist"),
                target("symlink", "a symlink to a FIFO", t -> Files.createSymbolicLink(t.dir.resolve("to-fifo"),
                        t.fifo("other.fifo")), "not a regular file"),
                target("hard link", "a file with a second hard link", t -> {
                    Files.createLink(t.dir.resolve("second-name"), t.target);
                    return t.target;
                }, "hard links"),
                target("missing", "no such file", t -> t.dir.resolve("absent"), "does not exist"));
    }

    @ParameterizedTest(name = "diff: {0}, {1}")
    @MethodSource("hostileDiffs")
    void aHostileDiffIsRefusedByApplyAndInspectInOneLine(String kind, String what, Input input, String expected)
            throws Exception {
        Path diff = input.make(this);

        CliRun applied = timed(() -> CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString()));
        count("diff (apply): " + kind, applied.exitCode() == 0);
        refusedInOneLine(applied, diff, expected);
        assertArrayEquals(oldBytes, Files.readAllBytes(target));
        assertEquals(List.of(), TargetFiles.temporaryFiles(dir));

        CliRun inspected = timed(() -> CliRun.of("env", "inspect", diff.toString()));
        boolean inspectShouldAccept = what.startsWith("length after") || what.startsWith("length before");
        count("diff (inspect): " + kind, inspected.exitCode() == 0 && !inspectShouldAccept);
        if (inspectShouldAccept) {
            // A well-formed diff that lies about sizes is shown, not applied; showing it costs no memory.
            assertEquals(0, inspected.exitCode(), inspected.toString());
        } else {
            refusedInOneLine(inspected, diff, expected.contains("check failed") || expected.contains("own after") ? "" : expected);
        }
    }

    @ParameterizedTest(name = "target: {0}, {1}")
    @MethodSource("hostileTargets")
    void aHostileTargetIsRefusedInOneLine(String kind, String what, Input input, String expected) throws Exception {
        Path hostile = input.make(this);

        CliRun applied = timed(() -> CliRun.of("env", "apply", "--diff", validDiff.toString(), "--target", hostile.toString()));

        count("target: " + kind, applied.exitCode() == 0);
        refusedInOneLine(applied, hostile, expected);
        assertArrayEquals(oldBytes, Files.readAllBytes(target));
        assertEquals(List.of(), TargetFiles.temporaryFiles(dir));
    }

    @AfterAll
    static void printCounts() {
        var tried = new TreeMap<String, Integer>();
        TRIED.forEach((kind, n) -> tried.put(kind, n.get()));
        int wrong = WRONGLY_ACCEPTED.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.println("hostile env inputs tried by kind: " + tried + "; accepted that should not be: " + wrong);
        assertEquals(0, wrong, "hostile env inputs accepted: " + WRONGLY_ACCEPTED);
    }

    private static void count(String kind, boolean accepted) {
        TRIED.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        if (accepted) {
            WRONGLY_ACCEPTED.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private static void refusedInOneLine(CliRun run, Path input, String expected) {
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals(1, run.err().lines().count(), run.toString());
        assertTrue(run.err().contains(input.toString()), "names the file: " + run);
        assertTrue(run.err().contains(expected), run.toString());
        assertFalse(run.err().contains("Exception") || run.err().contains("Error") || run.err().contains("\tat "),
                run.toString());
    }

    private static CliRun timed(java.util.function.Supplier<CliRun> run) {
        // A FIFO with no writer would block an open() forever, /dev/zero would read forever:
        // a hostile input must be refused before either, in bounded time.
        return assertTimeoutPreemptively(Duration.ofSeconds(30), run::get);
    }

    private static Arguments diff(String kind, String what, Input input, String expected) {
        return Arguments.of(kind, what, input, expected);
    }

    private static Arguments target(String kind, String what, Input input, String expected) {
        return Arguments.of(kind, what, input, expected);
    }

    private Path diffOf(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("hostile.dxdf"), bytes);
    }

    private Path fifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        TargetFiles.run("mkfifo", fifo.toString());
        return fifo;
    }

    private Path loop(String name) throws IOException {
        Path a = dir.resolve(name + "-a");
        Path b = dir.resolve(name + "-b");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        return a;
    }

    private byte[] withTotal(int total) {
        return sealed(putInt(valid.clone(), 8, total));
    }

    private byte[] lyingItem(int lengthBefore, int lengthAfter) {
        var crc = new CRC32C();
        crc.update(oldBytes);
        var item = new ItemDiff("vars", ItemDiff.Change.KEPT, lengthBefore, lengthAfter, (int) crc.getValue(), 0x1bad_b002,
                List.of());
        return new DiffEncoder().encode(new DiffInfo(DiffHeader.of(0, 1), List.of(item)));
    }

    private byte[] headerThenNoise() {
        byte[] bytes = Arrays.copyOf(valid, 4096);
        byte[] noise = noise(4096 - 32);
        System.arraycopy(noise, 0, bytes, 32, noise.length);
        return putInt(bytes, 8, bytes.length);
    }

    private static byte[] noise(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private static byte[] putInt(byte[] bytes, int at, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return bytes;
    }

    private static byte[] sealed(byte[] bytes) {
        var crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }
}
