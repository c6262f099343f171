package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.engine.job.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every refusal and failure of an upgrade names the one command that moves the pair forward, and
 * following that advice never leads back to a command already tried (a failed rollback once told
 * the user to resume it, resume said roll it back, rollback said start a new upgrade).
 */
class RefusalAdviceTest {
    private static final Pattern ADVICE = Pattern.compile("duplex upgrade (rollback|resume|status) (\\d+)");

    @Test
    void aRollbackThatStoppedIsFinishedByTheCommandItsFailureNames() {
        PairFixture f = new PairFixture();
        f.app.neverInSync();
        UpgradeReport upgrade = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.FAILED, upgrade.state());

        f.app.inSyncAgain();
        f.app.breakImage("v1"); // the old image will not come up either: the rollback stops
        UpgradeReport stopped = f.engine().rollback(upgrade.jobId(), "tester@host", UpgradeListener.NONE);
        assertEquals(JobState.FAILED, stopped.state());
        String advice = stopped.error().orElseThrow();
        assertEquals("rollback " + upgrade.jobId(), command(advice), advice);

        // Every other door names the same command; none of them loops back.
        List<String> tried = new ArrayList<>();
        tried.add(refusal(() -> f.engine().resume(stopped.jobId(), UpgradeListener.NONE)));
        tried.add(refusal(() -> f.engine().resume(upgrade.jobId(), UpgradeListener.NONE)));
        for (String refusal : tried) {
            assertEquals("rollback " + upgrade.jobId(), command(refusal), refusal);
        }

        f.app.repairImage("v1"); // the operator fixes the cause
        UpgradeReport done = follow(f, command(advice));
        assertEquals(JobState.SUCCEEDED, done.state(), () -> done.error().orElse(""));
        assertEquals("v1", f.record("kv-1").image());
        assertTrue(f.driver.deletedVolumes().isEmpty());
    }

    @Test
    void rollingBackTheStoppedRollbackItselfRollsBackItsUpgrade() {
        PairFixture f = new PairFixture();
        f.app.neverInSync();
        UpgradeReport upgrade = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        f.app.inSyncAgain();
        f.app.breakImage("v1");
        UpgradeReport stopped = f.engine().rollback(upgrade.jobId(), "tester@host", UpgradeListener.NONE);
        f.app.repairImage("v1");

        UpgradeReport done = f.engine().rollback(stopped.jobId(), "tester@host", UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, done.state(), () -> done.error().orElse(""));
        assertEquals("v1", f.record("kv-1").image());
    }

    @Test
    void endedJobsNameTheCommandThatMovesOnNotOneThatRefuses() {
        PairFixture f = new PairFixture();
        UpgradeReport upgrade = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, upgrade.state());
        String resumeDone = refusal(() -> f.engine().resume(upgrade.jobId(), UpgradeListener.NONE));
        assertEquals("rollback " + upgrade.jobId(), command(resumeDone), resumeDone);

        UpgradeReport rollback = follow(f, command(resumeDone));
        assertEquals(JobState.SUCCEEDED, rollback.state());
        String again = refusal(() -> f.engine().rollback(rollback.jobId(), "tester@host", UpgradeListener.NONE));
        assertTrue(again.contains("duplex upgrade run kv --image IMAGE"), again);
        String resumeRollback = refusal(() -> f.engine().resume(rollback.jobId(), UpgradeListener.NONE));
        assertTrue(resumeRollback.contains("duplex upgrade run kv --image IMAGE"), resumeRollback);
    }

    private static UpgradeReport follow(PairFixture f, String command) {
        String[] words = command.split(" ");
        long job = Long.parseLong(words[1]);
        return switch (words[0]) {
            case "rollback" -> f.engine().rollback(job, "tester@host", UpgradeListener.NONE);
            case "resume" -> f.engine().resume(job, UpgradeListener.NONE);
            default -> throw new AssertionError("advice to run " + command + " moves nothing forward");
        };
    }

    private static String command(String text) {
        Matcher m = ADVICE.matcher(text);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1) + " " + m.group(2));
        }
        assertEquals(1, found.size(), () -> "one command expected in: " + text);
        return found.get(0);
    }

    @Test
    void theStatusOfAJobThatIsNoUpgradeNamesTheCommandThatShowsIt() {
        PairFixture f = new PairFixture();
        long failover = f.jobs.create("failover", "kv", "tester@host", Map.of("node", "n1")).id();

        String refused = refusal(() -> f.engine().status(failover));

        assertEquals("Job #" + failover + " (failover of kv) is not an upgrade job; 'duplex jobs show " + failover + "' shows it", refused);
    }

    private static String refusal(Runnable action) {
        try {
            action.run();
        } catch (UpgradeRefusedException e) {
            return e.getMessage();
        }
        fail("expected a refusal");
        return null;
    }
}
