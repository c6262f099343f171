package dev.duplex.cli.env;

import dev.duplex.cli.CliRun;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code duplex env diff|inspect|apply} end to end on files. */
class OfflineToolsTest {
    @TempDir
    Path dir;

    private byte[] oldBytes;
    private byte[] newBytes;
    private Path oldFile;
    private Path newFile;
    private Path target;
    private Path diff;

    @BeforeEach
    void files() throws IOException {
        oldBytes = new byte[64 * 1024];
        new Random(3).nextBytes(oldBytes);
        newBytes = Arrays.copyOf(oldBytes, oldBytes.length + 100); // grows by 100 zero bytes...
        newBytes[0x13] ^= 1; // ...with FIG. 5's one-byte change
        for (int i = 0x40; i < 0x60; i++) {
            newBytes[i] ^= (byte) 0xff; // and its 32-byte run
        }
        newBytes[newBytes.length - 1] = 7;
        oldFile = Files.write(dir.resolve("vars-r1.fd"), oldBytes);
        newFile = Files.write(dir.resolve("vars-r2.fd"), newBytes);
        target = Files.write(dir.resolve("standby.fd"), oldBytes);
        diff = dir.resolve("r1-r2.dxdf");
    }

    private CliRun diff() {
        return CliRun.of("env", "diff", "--from", oldFile.toString(), "--to", newFile.toString(), "--out",
                diff.toString(), "--base-revision", "1", "--target-revision", "2");
    }

    @Test
    void diffThenInspectThenApplyGivesExactlyTheNewFile() throws IOException {
        CliRun made = diff();
        assertEquals(0, made.exitCode(), made.toString());
        assertTrue(made.out().contains("revision 1 -> 2"), made.toString());

        CliRun inspected = CliRun.of("env", "inspect", diff.toString());
        assertEquals(0, inspected.exitCode(), inspected.toString());
        assertTrue(inspected.out().contains("DXDF"), inspected.toString());
        assertTrue(inspected.out().contains("1 -> 2"), inspected.toString());
        assertTrue(inspected.out().contains("vars-r2.fd"), inspected.toString());
        for (String flag : new String[] {"DATA", "AREA", "CONT"}) {
            assertTrue(inspected.out().contains(flag), inspected.toString());
        }

        CliRun json = CliRun.of("env", "inspect", diff.toString(), "--output", "json");
        assertEquals(0, json.exitCode(), json.toString());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertEquals(1, root.get("base_revision").asLong());
        assertEquals(2, root.get("target_revision").asLong());
        JsonNode entries = root.get("items").get(0).get("entries");
        assertEquals("DATA", entries.get(0).get("flag").asText());
        assertEquals(0x13, entries.get(0).get("offset").asInt());
        assertEquals("AREA", entries.get(1).get("flag").asText());
        assertEquals(32, entries.get(1).get("size").asInt());
        assertEquals(root.get("entry_count").asInt(), countEntries(root));

        CliRun applied = CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString());
        assertEquals(0, applied.exitCode(), applied.toString());
        assertArrayEquals(newBytes, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void applyingTwiceIsRefusedAndLeavesTheTargetAsItWas() throws IOException {
        assertEquals(0, diff().exitCode());
        assertEquals(0, CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString()).exitCode());

        CliRun again = CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString());

        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.err().contains("base checksum check failed"), again.toString());
        assertTrue(again.err().contains("applied before"), again.toString());
        assertTrue(again.err().contains("is unchanged"), again.toString());
        assertEquals(1, again.err().lines().count(), again.toString());
        assertArrayEquals(newBytes, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void aCorruptedDiffIsRefusedAndLeavesTheTargetAsItWas() throws IOException {
        assertEquals(0, diff().exitCode());
        byte[] encoded = Files.readAllBytes(diff);
        encoded[encoded.length / 2] ^= 0x10;
        Files.write(diff, encoded);

        CliRun applied = CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString());

        assertEquals(1, applied.exitCode(), applied.toString());
        assertTrue(applied.err().contains("the diff file is invalid"), applied.toString());
        assertTrue(applied.err().contains("checksum"), applied.toString());
        assertArrayEquals(oldBytes, Files.readAllBytes(target));
        CliRun inspected = CliRun.of("env", "inspect", diff.toString());
        assertEquals(1, inspected.exitCode(), inspected.toString());
        assertTrue(inspected.err().contains("not a valid diff"), inspected.toString());
    }

    @Test
    void aTruncatedDiffIsRefusedAndLeavesTheTargetAsItWas() throws IOException {
        assertEquals(0, diff().exitCode());
        byte[] encoded = Files.readAllBytes(diff);
        Files.write(diff, Arrays.copyOf(encoded, encoded.length - 20));

        CliRun applied = CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString());

        assertEquals(1, applied.exitCode(), applied.toString());
        assertTrue(applied.err().contains("truncated"), applied.toString());
        assertArrayEquals(oldBytes, Files.readAllBytes(target));
    }

    @Test
    void aDiffOfAnotherFileIsRefusedByTheBaseChecksum() throws IOException {
        assertEquals(0, diff().exitCode());
        byte[] other = oldBytes.clone();
        other[1000] ^= 1;
        Files.write(target, other);

        CliRun applied = CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString());

        assertEquals(1, applied.exitCode(), applied.toString());
        assertTrue(applied.err().contains("base checksum check failed"), applied.toString());
        assertTrue(!applied.err().contains("applied before"), applied.toString());
        assertArrayEquals(other, Files.readAllBytes(target));
    }

    @Test
    void aFullWriteReplacesADamagedTargetWithTheWholeSource() throws IOException {
        Path target = dir.resolve("standby.fd");
        byte[] damaged = Files.readAllBytes(oldFile);
        damaged[damaged.length / 2] ^= 0x5A;
        Files.write(target, damaged);
        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));

        CliRun written = CliRun.of("env", "apply", "--full", newFile.toString(), "--target", target.toString());

        assertEquals(0, written.exitCode(), written.err());
        assertTrue(written.out().startsWith("Wrote " + newFile + " over " + target + ": "), written.out());
        assertArrayEquals(Files.readAllBytes(newFile), Files.readAllBytes(target));
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target)),
                "the target keeps its mode");
        assertNoTemporaryFiles();
    }

    @Test
    void aFullWriteOfAFileOverItselfOrWithADiffTooIsRefused() throws IOException {
        byte[] before = Files.readAllBytes(newFile);
        CliRun itself = CliRun.of("env", "apply", "--full", newFile.toString(), "--target", newFile.toString());
        assertEquals(1, itself.exitCode());
        assertTrue(itself.err().contains("they are the same file"), itself.err());

        CliRun both = CliRun.of("env", "apply", "--full", newFile.toString(), "--diff", oldFile.toString(), "--target",
                dir.resolve("x").toString());
        assertEquals(2, both.exitCode(), both.err());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        assertArrayEquals(before, Files.readAllBytes(newFile));
    }

    @Test
    void aMissingInputIsOneLineNamingIt() {
        CliRun made = CliRun.of("env", "diff", "--from", dir.resolve("nope").toString(), "--to", newFile.toString(),
                "--out", diff.toString());

        assertEquals(1, made.exitCode(), made.toString());
        assertTrue(made.err().contains("--from file") && made.err().contains("does not exist"), made.toString());
        assertTrue(Files.notExists(diff));
    }

    @Test
    void helpTeachesWithExamples() {
        CliRun env = CliRun.of("env", "--help");
        assertEquals(0, env.exitCode(), env.toString());
        assertTrue(env.out().contains("duplex env push PAIR"), env.toString());

        CliRun apply = CliRun.of("env", "apply", "--help");
        assertTrue(apply.out().contains("Examples:") && apply.out().contains("--full examples/env/vars-r7.fd --target") && apply.out().contains("atomically"), apply.toString());

        CliRun failover = CliRun.of("failover", "--help");
        assertTrue(failover.out().contains("--force") && failover.out().contains("two actives"), failover.toString());
    }

    private static int countEntries(JsonNode root) {
        int count = 0;
        for (JsonNode item : root.get("items")) {
            count += item.get("entries").size();
        }
        return count;
    }

    private void assertNoTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count());
        }
    }
}
