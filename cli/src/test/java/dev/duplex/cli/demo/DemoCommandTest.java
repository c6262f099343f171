package dev.duplex.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job, end to end: a real pair of kv-service processes on the local driver,
 * the embedded PostgreSQL, a client load through the service address, the upgrade v1 -> v2.
 */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void linkUpgradeKeepsTheDatabaseAndLosesNoRequest() throws IOException {
        Path config = dir.resolve("duplex.properties");
        Files.writeString(config, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\n"); // the test deletes the home: the server stops with its last user
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Main.run(new String[] {"--config", config.toString(), "demo", "--db-size", "4MiB", "--strategy", "link", "--output", "json"},
                java.util.Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));

        assertEquals(0, code, "stdout:\n" + out + "\nstderr:\n" + err);
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertEquals(4L << 20, report.get("db_size_bytes").asLong(), out.toString());
        assertTrue(report.get("intact").asBoolean(), out.toString());
        JsonNode results = report.get("strategies");
        assertEquals(1, results.size(), out.toString());
        JsonNode link = results.get(0);
        assertEquals("link", link.get("strategy").asText());
        assertEquals("SUCCEEDED", link.get("state").asText());
        assertTrue(link.get("error").isNull(), link.toString());
        assertEquals(0, link.get("failed_requests").asLong(), link.toString());
        assertTrue(link.get("requests").asLong() > 0, link.toString());
        assertEquals(List.of(link.get("db_checksum_before").asText()), List.of(link.get("db_checksums_after").get(0).asText()));
        assertEquals(1, link.get("db_checksums_after").size(), "both members' databases agree: " + link);
        assertTrue(link.get("db_intact").asBoolean(), link.toString());
        assertEquals(0, link.get("bytes_copied").asLong(), "the link strategy copies nothing");
        assertTrue(link.get("switchover_gap_ms").asLong() > 0 && link.get("single_side_window_ms").asLong() > 0, link.toString());
        assertTrue(link.get("total_ms").isIntegralNumber(), "times are whole milliseconds: " + link);
        assertTrue(err.toString().contains("S25"), "progress goes to stderr with --output json:\n" + err);
    }
}
