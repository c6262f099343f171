package dev.duplex.engine.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.UpgradeListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A failover tells its listener what an upgrade tells it: each phase as it starts and ends, and
 * what the promote phase waits for while the new active's service boots, so that the frontends can
 * say "still waiting for health of kv-1" instead of going quiet for the length of a boot.
 */
class FailoverProgressTest {
    private final FailoverFixture fixture = new FailoverFixture();
    private final List<String> heard = new ArrayList<>();

    private final UpgradeListener listener = new UpgradeListener() {
        @Override
        public void stepStarted(long jobId, StepInfo step) {
            heard.add("started " + step.id() + " (" + step.member() + "): " + step.action());
        }

        @Override
        public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
            heard.add("ended " + step.id());
        }

        @Override
        public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
            heard.add("failed " + step.id() + ": " + error);
        }

        @Override
        public void waiting(long jobId, StepInfo step, String what) {
            heard.add("waiting in " + step.id() + " for " + what);
        }
    };

    @Test
    void theNewActivesBootIsReportedAsAWaitOfThePromotePhaseAtEveryPoll() {
        fixture.push().push("kv", fixture.activeInfo(2, 5));
        fixture.app.bootingFor(3);

        FailoverReport report = fixture.failover().failover("kv", false, false, "ops@host", listener);

        assertEquals("kv-1", report.newActive());
        assertEquals(List.of(
                "started fence (kv-0): power kv-0 off and confirm it is off", "ended fence",
                "started sync (kv-1): bring the environment info of kv-1 to revision 2", "ended sync",
                "started start (kv-1): power kv-1 on", "ended start",
                "started promote (kv-1): wait for kv-1 to report healthy, make it the active",
                "waiting in promote for health of kv-1: 503 starting",
                "waiting in promote for health of kv-1: 503 starting",
                "waiting in promote for health of kv-1: 503 starting",
                "ended promote",
                "started record-roles (kv-1): record kv-1 as the active of kv", "ended record-roles"), heard);
        assertTrue(report.overhead().healthWait().compareTo(Duration.ZERO) > 0, "the wait is the health wait the report gives");
    }

    @Test
    void aPhaseThatFailsIsToldAsFailedAndNothingAfterIt() {
        fixture.push().push("kv", fixture.activeInfo(2, 5));
        fixture.app.refusePromotion();

        try {
            fixture.failover().failover("kv", false, false, "ops@host", listener);
        } catch (FailoverException expected) {
            // what the pair is left in is FailoverTest's business
        }

        String last = heard.get(heard.size() - 1);
        assertTrue(last.startsWith("failed promote: ") && last.contains("HTTP 500"), heard.toString());
        assertTrue(heard.stream().noneMatch(line -> line.contains("record-roles")), heard.toString());
    }

    @Test
    void withoutAListenerNothingIsTold() {
        fixture.push().push("kv", fixture.activeInfo(2, 5));
        fixture.app.bootingFor(2);

        FailoverReport report = fixture.failover().failover("kv", false, "ops@host");

        assertEquals("kv-1", report.newActive());
        assertEquals(List.of(), heard);
    }
}
