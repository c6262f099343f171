package dev.duplex.cli.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.cli.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code duplex env diff|inspect|apply} with a compressed diff: a firmware-like change is written
 * as a container, inspect shows its size, the FIG. 5 size inside and the ratio (and with --base,
 * its entries), apply reads it against the target, and a wrong base is refused in one line.
 */
class EnvInspectContainerTest {
    @TempDir
    Path dir;

    private byte[] oldBytes;
    private byte[] newBytes;
    private Path oldFile;
    private Path newFile;
    private Path diff;

    @BeforeEach
    void files() throws IOException {
        // A variable store: records at the front, erased 0xFF space behind; the update appends
        // copies of records with a changed byte and marks the old copies (one byte each).
        oldBytes = new byte[128 * 1024];
        Arrays.fill(oldBytes, (byte) 0xFF);
        int end = 0;
        for (int i = 0; i < 40; i++) {
            byte[] record = ("\u00AA\u0055VAR-" + i + "-" + "settings of the firmware ".repeat(1 + i % 4))
                    .getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(record, 0, oldBytes, end, record.length);
            end += record.length;
        }
        newBytes = oldBytes.clone();
        for (int i = 0, source = 0; i < 12; i++, source += 97) {
            System.arraycopy(oldBytes, source, newBytes, end, 80);
            newBytes[end + 7] = (byte) i;
            newBytes[source + 1] = 0x54;
            end += 80;
        }
        oldFile = Files.write(dir.resolve("vars-r7.fd"), oldBytes);
        newFile = Files.write(dir.resolve("vars-r8.fd"), newBytes);
        diff = dir.resolve("r7-r8.dxdf");
    }

    @Test
    void aFirmwareChangeIsWrittenCompressedAndInspectShowsBothSizes() throws IOException {
        CliRun made = CliRun.of("env", "diff", "--from", oldFile.toString(), "--to", newFile.toString(), "--out",
                diff.toString(), "--base-revision", "7");
        assertEquals(0, made.exitCode(), made.toString());
        assertTrue(made.out().contains("compressed; plain"), made.toString());
        byte[] written = Files.readAllBytes(diff);
        assertEquals("DXDZ", new String(written, 0, 4, StandardCharsets.US_ASCII));

        CliRun summary = CliRun.of("env", "inspect", diff.toString());
        assertEquals(0, summary.exitCode(), summary.toString());
        assertTrue(summary.out().contains("container  DXDZ version 1, zstd: " + written.length + " bytes for a plain diff of "),
                summary.toString());
        assertTrue(summary.out().contains("ratio"), summary.toString());
        assertTrue(summary.out().contains("revision   7 -> 8"), summary.toString());
        assertTrue(summary.out().contains("--base OLD"), summary.toString());

        CliRun full = CliRun.of("env", "inspect", diff.toString(), "--base", oldFile.toString());
        assertEquals(0, full.exitCode(), full.toString());
        assertTrue(full.out().contains("matches " + oldFile), full.toString());
        assertTrue(full.out().contains("DXDF"), full.toString());
        assertTrue(full.out().contains("AREA") && full.out().contains("CONT") && full.out().contains("DATA"), full.toString());

        CliRun json = CliRun.of("env", "inspect", diff.toString(), "--base", oldFile.toString(), "--output", "json");
        assertEquals(0, json.exitCode(), json.toString());
        JsonNode root = new ObjectMapper().readTree(json.out());
        JsonNode container = root.get("container");
        assertEquals(written.length, container.get("size_bytes").asInt());
        assertEquals(written.length, root.get("size_bytes").asInt());
        int fig5 = container.get("plain_size_bytes").asInt();
        CliRun plain = CliRun.of("env", "diff", "--from", oldFile.toString(), "--to", newFile.toString(), "--out",
                dir.resolve("plain.dxdf").toString(), "--base-revision", "7", "--plain");
        assertEquals(0, plain.exitCode(), plain.toString());
        assertEquals(Files.size(dir.resolve("plain.dxdf")), fig5, "the FIG. 5 size is the plain diff's");
        assertTrue(written.length * 3 < fig5, written.length + " vs " + fig5);
        assertEquals(Math.round(100.0 * fig5 / written.length) / 100.0, container.get("ratio").asDouble(), 1e-9);
        assertEquals("zstd", container.get("compression").asText());
        assertEquals(root.get("entry_count").asInt(), root.get("items").get(0).get("entries").size());

        CliRun headerOnly = CliRun.of("env", "inspect", diff.toString(), "--output", "json");
        JsonNode summaryJson = new ObjectMapper().readTree(headerOnly.out());
        assertEquals(fig5, summaryJson.get("container").get("plain_size_bytes").asInt());
        assertTrue(summaryJson.get("items").isNull());
    }

    @Test
    void aCompressedDiffAppliesToItsBaseAndIsRefusedInOneLineElsewhere() throws IOException {
        assertEquals(0, CliRun.of("env", "diff", "--from", oldFile.toString(), "--to", newFile.toString(), "--out",
                diff.toString()).exitCode());
        Path target = Files.write(dir.resolve("standby.fd"), oldBytes);

        CliRun applied = CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString());
        assertEquals(0, applied.exitCode(), applied.toString());
        assertArrayEquals(newBytes, Files.readAllBytes(target));

        CliRun again = CliRun.of("env", "apply", "--diff", diff.toString(), "--target", target.toString());
        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.err().contains("base checksum check failed"), again.toString());
        assertTrue(again.err().contains("is unchanged"), again.toString());
        assertEquals(1, again.err().lines().count(), again.toString());
        assertArrayEquals(newBytes, Files.readAllBytes(target));

        CliRun wrongBase = CliRun.of("env", "inspect", diff.toString(), "--base", newFile.toString());
        assertEquals(1, wrongBase.exitCode(), wrongBase.toString());
        assertTrue(wrongBase.err().contains("is not the base of"), wrongBase.toString());
        assertEquals(1, wrongBase.err().lines().count(), wrongBase.toString());
    }
}
