package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.job.JobState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * An upgrade's milestones in the audit log: values serialised by Jackson under the keys job views
 * and readers of the log already use ({@code job}, {@code strategy}, {@code images}, {@code where},
 * {@code state}, {@code rollback_of}).
 */
class UpgradeAuditTest {
    @Test
    void aRunIsAuditedWhenItStartsAndWhenItEnds() throws Exception {
        PairFixture f = new PairFixture();

        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state());
        List<AuditEntry> entries = oldestFirst(f);
        assertEquals(List.of("upgrade.run", "upgrade.succeeded"), entries.stream().map(AuditEntry::action).toList());
        assertEquals("tester@host", entries.get(0).actor().name());
        assertEquals("pair/kv", entries.get(0).object());
        assertEquals("{\"job\":" + report.jobId() + ",\"strategy\":\"link\",\"images\":[\"v2\",\"v2\"]}", after(entries.get(0)).toString());
        JsonNode ended = after(entries.get(1));
        assertEquals("{\"job\":" + report.jobId() + ",\"state\":\"SUCCEEDED\",\"strategy\":\"link\"}", ended.toString());
        assertFalse(ended.has("error"), "no error key for a job that succeeded");
    }

    @Test
    void aStopAResumeAndARollbackAreAuditedWithTheirJobs() throws Exception {
        PairFixture f = new PairFixture();
        AtomicBoolean stop = new AtomicBoolean();
        UpgradeListener ctrlC = new UpgradeListener() {
            @Override
            public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
                stop.set(step.id().equals("S21"));
            }

            @Override
            public boolean stopRequested() {
                return stop.get();
            }
        };
        UpgradeReport stopped = f.engine().run(f.request(UpgradeStrategy.LINK), ctrlC);
        UpgradeReport resumed = f.engine().resume(stopped.jobId(), UpgradeListener.NONE);
        UpgradeReport rollback = f.engine().rollback(resumed.jobId(), "ops@host", UpgradeListener.NONE);

        List<AuditEntry> entries = oldestFirst(f);
        assertEquals(List.of("upgrade.run", "upgrade.stopped", "upgrade.resume", "upgrade.succeeded", "upgrade.rollback",
                "upgrade.succeeded"), entries.stream().map(AuditEntry::action).toList());
        long job = stopped.jobId();
        assertEquals("{\"job\":" + job + ",\"where\":\"after S21\"}", after(entries.get(1)).toString());
        assertEquals("{\"job\":" + job + "}", after(entries.get(2)).toString());
        assertEquals("{\"job\":" + rollback.jobId() + ",\"rollback_of\":" + job + "}", after(entries.get(4)).toString());
        assertEquals("ops@host", entries.get(4).actor().name());
        // the rollback job reached its goal: it ends SUCCEEDED as a job of kind rollback
        assertEquals("{\"job\":" + rollback.jobId() + ",\"state\":\"SUCCEEDED\",\"strategy\":\"link\"}", after(entries.get(5)).toString());
    }

    private static List<AuditEntry> oldestFirst(PairFixture f) {
        List<AuditEntry> entries = new java.util.ArrayList<>(f.audit.recent(100));
        java.util.Collections.reverse(entries);
        return entries;
    }

    private static JsonNode after(AuditEntry entry) {
        return entry.after().orElseThrow();
    }
}
