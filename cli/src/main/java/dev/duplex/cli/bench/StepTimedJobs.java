package dev.duplex.cli.bench;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import java.time.Duration;
import java.util.List;
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
final class StepTimedJobs implements JobQueue {
    /** One step's work: from its start journaled to its end, in clock nanoseconds. */
    record Interval(long start, long end) {}

    private final JobQueue journal;
    private final LongSupplier clock;
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final Map<String, Interval> done = new ConcurrentHashMap<>();

    StepTimedJobs(JobQueue journal, LongSupplier clock) {
        this.journal = requireNonNull(journal, "journal is null");
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
        journal.stepStarted(jobId, stepId);
        started.put(stepId, clock.getAsLong());
    }

    @Override
    public void stepDone(long jobId, String stepId, Map<String, String> outputs) {
        long end = clock.getAsLong();
        Long start = started.get(stepId);
        if (start != null) {
            done.put(stepId, new Interval(start, end));
        }
        journal.stepDone(jobId, stepId, outputs);
    }

    @Override
    public void stepFailed(long jobId, String stepId, String error) {
        journal.stepFailed(jobId, stepId, error);
    }

    @Override
    public Job create(String kind, String pair, String requestedBy, Map<String, String> parameters) {
        return journal.create(kind, pair, requestedBy, parameters);
    }

    @Override
    public Optional<Job> job(long id) {
        return journal.job(id);
    }

    @Override
    public Optional<Job> liveJob(String pair) {
        return journal.liveJob(pair);
    }

    @Override
    public Optional<Job> liveJobOn(String vm) {
        return journal.liveJobOn(vm);
    }

    @Override
    public List<Job> jobs(String pair) {
        return journal.jobs(pair);
    }

    @Override
    public Optional<Job> claim(String node, Duration staleAfter) {
        return journal.claim(node, staleAfter);
    }

    @Override
    public Optional<Job> claim(long jobId, String node, Duration staleAfter) {
        return journal.claim(jobId, node, staleAfter);
    }

    @Override
    public boolean heartbeat(long jobId, String node) {
        return journal.heartbeat(jobId, node);
    }

    @Override
    public boolean release(long jobId, String node) {
        return journal.release(jobId, node);
    }

    @Override
    public void finish(long jobId, JobState state, Optional<String> error) {
        journal.finish(jobId, state, error);
    }

    @Override
    public List<StepRecord> journal(long jobId) {
        return journal.journal(jobId);
    }
}
