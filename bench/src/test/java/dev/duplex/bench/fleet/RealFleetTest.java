package dev.duplex.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-fleet benchmark's machinery on 3 pairs at max-in-flight 2 (plus the pair it upgrades
 * alone first): real light-application processes on the local driver, the engine's fleet service
 * on an embedded PostgreSQL, a client load throughout. Asserts behaviour, never time.
 */
class RealFleetTest {
    @TempDir
    Path work;

    @Test
    void aFleetUpgradedUnderLoadLosesNoRequestAndNoRecordAndEndsWithEqualChecksums() throws Exception {
        Path python = LightApp.python();
        StringWriter progress = new StringWriter();
        RealFleetResult result = new RealFleetBench(new RealFleetBench.Settings(3, 2, 2, 10, 5, work.resolve("run"), python),
                new PrintWriter(progress)).run();
        String shown = progress + "\n" + result.report();
        System.out.println(shown);

        assertEquals("SUCCEEDED", result.fleetState(), shown);
        assertEquals(3, result.pairsSucceeded(), shown);
        assertEquals(2, result.waves(), "3 pairs at 2 in flight with a canary of 2: " + shown);
        assertEquals(8, result.membersOnNewImage(), "both members of the 3 pairs and of the lone one run v2: " + shown);
        assertTrue(result.load().requests() > 0 && result.load().acknowledgedWrites() > 0, "the client load ran: " + shown);
        assertEquals(0, result.failedRequests(), "no request failed after retry: " + shown);
        assertEquals(0, result.lostWrites(), "every acknowledged write is on the pair's active at the end: " + shown);
        assertEquals(4, result.pairsChecked(), shown);
        assertEquals(4, result.checksumsEqual(), "both members equal, the records from before unchanged: " + shown);
        assertEquals(java.util.List.of(), result.problems(), shown);
        assertTrue(result.clean(), shown);
        assertTrue(result.markdownRow().startsWith("| 3 | 2 | 2 |") && result.markdownRow().endsWith("| yes (4 of 4) |"), result.markdownRow());
    }
}
