package dev.duplex.engine.upgrade;

import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs steps with the journal around them: STARTED is written before a step runs, DONE with its
 * outputs or FAILED with the reason after. A step the journal already has as DONE is skipped
 * and its outputs reused; one left STARTED (the orchestrator died in it) runs again.
 *
 * <p>A step's DONE is written with the next step's STARTED, in one transaction, or by
 * {@link #settle()} when no step follows: the same as a kill between the two (the step is
 * STARTED and runs again on resume), which the steps already survive, and one round trip per step
 * less. Whoever runs steps ends the job through {@link #finishJob}, which writes that DONE with the
 * job's end, or settles before it reads the journal.
 */
final class JournaledSteps {
    private static final Logger log = LoggerFactory.getLogger(JournaledSteps.class);

    private final JobQueue jobQueue;
    private final UpgradeListener listener;
    private final long jobId;
    private final String subject;
    private final Map<String, StepRecord> journal;
    private Ended unwritten;

    /** A step that ended whose DONE is not written yet. */
    private record Ended(String stepId, Map<String, String> outputs) {}

    JournaledSteps(JobQueue jobQueue, UpgradeListener listener, long jobId, String subject, Map<String, StepRecord> journal) {
        this.jobQueue = jobQueue;
        this.listener = listener;
        this.jobId = jobId;
        this.subject = subject;
        this.journal = journal;
    }

    /** The latest record of each step, in journal order. */
    static Map<String, StepRecord> latest(Iterable<StepRecord> records) {
        Map<String, StepRecord> latest = new LinkedHashMap<>();
        for (StepRecord record : records) {
            latest.put(record.stepId(), record);
        }
        return latest;
    }

    Map<String, String> run(UpgradeStep step, UpgradeRun run) {
        StepInfo info = step.info();
        StepRecord record = journal.get(info.id());
        if (record != null && record.state() == StepState.DONE) {
            log.info("{} job #{} {} {}: done already, skipped", subject, jobId, info.id(), info.member());
            listener.stepSkipped(jobId, info);
            return record.outputs();
        }
        try {
            run.heartbeat();
        } catch (StepFailure.StopRequested stopped) {
            settle(); // stopped between steps: the step before is DONE, for a resume to skip
            throw stopped;
        }
        Ended before = unwritten;
        unwritten = null;
        if (before == null) {
            jobQueue.stepStarted(jobId, info.id());
        } else {
            jobQueue.stepDoneThenStarted(jobId, before.stepId(), before.outputs(), info.id());
        }
        log.debug("{} job #{} {} {}: {} started", subject, jobId, info.id(), info.member(), info.action());
        listener.stepStarted(jobId, info);
        long started = System.nanoTime();
        Map<String, String> outputs;
        try {
            outputs = new LinkedHashMap<>(step.run(run));
        } catch (RuntimeException e) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            jobQueue.stepFailed(jobId, info.id(), reason);
            log.warn("{} job #{} {} {}: {} failed after {} ms: {}", subject, jobId, info.id(), info.member(), info.action(),
                    elapsed.toMillis(), reason);
            listener.stepFailed(jobId, info, elapsed, reason);
            throw new Failed(info, reason, e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        outputs.put("elapsed-ms", Long.toString(elapsed.toMillis()));
        unwritten = new Ended(info.id(), new LinkedHashMap<>(outputs));
        log.info("{} job #{} {} {}: {} done in {} ms", subject, jobId, info.id(), info.member(), info.action(), elapsed.toMillis());
        listener.stepEnded(jobId, info, elapsed, outputs);
        return outputs;
    }

    /** Writes the DONE of the last step that ended, if it is not written yet. */
    void settle() {
        Ended ended = unwritten;
        unwritten = null; // written once: a failed write is not tried again by a later settle
        if (ended != null) {
            jobQueue.stepDone(jobId, ended.stepId(), ended.outputs());
        }
    }

    /** Ends the job, with the DONE of the last step that ended if it is not written yet: one write for both. */
    void finishJob(JobState state, Optional<String> error) {
        Ended ended = unwritten;
        if (ended == null) {
            jobQueue.finish(jobId, state, error);
        } else {
            jobQueue.stepDoneThenFinish(jobId, ended.stepId(), ended.outputs(), state, error);
        }
        unwritten = null; // kept when the write failed: a run that escapes then settles the DONE alone
    }

    /** A step failed; journaled as FAILED already. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final transient StepInfo step;

        Failed(StepInfo step, String reason, RuntimeException cause) {
            super(step.id() + " (" + step.action() + ") failed: " + reason, cause);
            this.step = step;
        }

        StepInfo step() {
            return step;
        }
    }
}
