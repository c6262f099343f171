package dev.duplex.engine.demo;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.ForwardingJobQueue;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The job journal with a stopwatch on it: where the engine journals a step as started (after
 * that write is committed) and as done (before that write), the time on one clock is kept. So a
 * failover's phases are timed where the engine runs them, as the interval of each step's own
 * work, on the same clock as the client that waits for the first accepted write; the journal
 * writes between them fall in the gaps, i.e. in Duplex's own overhead.
 */
final class StepTimedJobs extends ForwardingJobQueue {
    /** One step's work: from its start journaled to its end, in clock nanoseconds. */
    record Interval(long start, long end) {}

    private final LongSupplier clock;
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final Map<String, Interval> done = new ConcurrentHashMap<>();

    StepTimedJobs(JobQueue journal, LongSupplier clock) {
        super(journal);
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The steps that ended, by step id (the failover's phases: fence, sync, start, promote, record-roles). */
    Map<String, Interval> intervals() {
        return Map.copyOf(done);
    }

    /** Forgets the steps timed so far (before the next run). */
    void clear() {
        started.clear();
        done.clear();
    }

    @Override
    public void stepStarted(long jobId, String stepId) {
        super.stepStarted(jobId, stepId);
        started.put(stepId, clock.getAsLong());
    }

    @Override
    public void stepDone(long jobId, String stepId, Map<String, String> outputs) {
        ended(stepId);
        super.stepDone(jobId, stepId, outputs);
    }

    @Override
    public void stepDoneThenStarted(long jobId, String doneStep, Map<String, String> outputs, String nextStep) {
        ended(doneStep);
        super.stepDoneThenStarted(jobId, doneStep, outputs, nextStep);
        started.put(nextStep, clock.getAsLong());
    }

    @Override
    public void stepDoneThenFinish(long jobId, String doneStep, Map<String, String> outputs, JobState state, Optional<String> error) {
        ended(doneStep);
        super.stepDoneThenFinish(jobId, doneStep, outputs, state, error);
    }

    private void ended(String stepId) {
        long end = clock.getAsLong();
        Long start = started.get(stepId);
        if (start != null) {
            done.put(stepId, new Interval(start, end));
        }
    }
}
