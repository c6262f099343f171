package dev.duplex.cli.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.upgrade.StepInfo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** A step that waits or runs long says so, and for what, every few seconds; one that ended says nothing more. */
class ProgressPrinterTest {
    private static final StepInfo S23 = new StepInfo("S23", "start kv-1 from kv-2, database mounted; health check", "kv-1",
            "kv-0 alone", true);

    private final StringWriter text = new StringWriter();
    private final ProgressPrinter printer = new ProgressPrinter(new PrintWriter(text), false, Instant.now(), Duration.ofMillis(100));

    @Test
    void aQuietStepSaysItStillRunsAndWhatItDoes() throws InterruptedException {
        printer.stepStarted(1, S23);
        String still = awaitLine(l -> l.contains("S23  still running: start kv-1 from kv-2"));
        assertTrue(still.matches(" *\\d+\\.\\d{3}s  S23  still running: .* \\(\\d+ s\\)"), still);
    }

    @Test
    void aWaitIsShownOnceThenEveryFewSecondsWithItsLatestAnswer() throws InterruptedException {
        printer.stepStarted(1, S23);
        printer.waiting(1, S23, "health of kv-1: no answer yet");
        printer.waiting(1, S23, "health of kv-1: no answer yet");
        printer.waiting(1, S23, "health of kv-1: connection refused");
        assertEquals(1, lines(l -> l.contains("S23  waiting for health of kv-1")).size(), "a poll is not a line: " + text);
        awaitLine(l -> l.contains("S23  still waiting for health of kv-1: connection refused"));
    }

    @Test
    void whatAMembersServiceAnsweredIsShownNeverActedOn() throws InterruptedException {
        StepInfo promote = new StepInfo("promote", "wait for kvc-1 to report healthy, make it the active", "kvc-1", "", false);
        printer.stepStarted(1, promote);
        printer.waiting(1, promote, "health of kvc-1: 503 \u001b]0;owned\u0007starting\u202e");
        String still = awaitLine(l -> l.contains("promote still waiting for health of kvc-1"));
        assertTrue(text.toString().chars().noneMatch(c -> c == 0x1b || c == 0x07 || c == 0x202e), text.toString());
        assertTrue(still.contains("503 \\x1b]0;owned\\x07starting\\u202e"), still);
    }

    @Test
    void anEndedStepSaysNothingMore() throws InterruptedException {
        printer.stepStarted(1, S23);
        printer.stepEnded(1, S23, Duration.ofMillis(42), Map.of());
        Thread.sleep(500); // five times the interval: a ticker still running would have spoken
        assertEquals(List.of(), lines(l -> l.contains("still")), text.toString());
        assertTrue(text.toString().contains("S23  done in 42 ms"), text.toString());
    }

    private String awaitLine(Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> found = lines(wanted);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such line in:\n" + text);
    }

    private List<String> lines(Predicate<String> wanted) {
        synchronized (printer) {
            return text.toString().lines().filter(wanted).toList();
        }
    }
}
