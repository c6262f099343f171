package dev.duplex.engine.upgrade;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.testing.SimulatedCrash;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The job queue as a process sees it that is killed at a journal point: the matching write is
 * the moment of the kill (it is not written), and from then on every thread of the process dies
 * at its next call, as all of them would with kill -9. The queue itself (the database) lives on.
 */
final class DyingJobQueue implements JobQueue {
    /** A journal write: which call, on which job, of which step. */
    record Write(String call, long jobId, String what) {}

    private final JobQueue database;
    private final Predicate<Write> killAt;
    private final int occurrence;
    private final AtomicInteger seen = new AtomicInteger();
    private final AtomicBoolean dead = new AtomicBoolean();

    /** Killed at the {@code occurrence}-th write (from 1) that {@code killAt} matches. */
    DyingJobQueue(JobQueue database, Predicate<Write> killAt, int occurrence) {
        this.database = database;
        this.killAt = killAt;
        this.occurrence = occurrence;
    }

    boolean died() {
        return dead.get();
    }

    private void write(String call, long jobId, String what) {
        alive();
        if (killAt.test(new Write(call, jobId, what)) && seen.incrementAndGet() == occurrence) {
            dead.set(true);
            throw new SimulatedCrash("at " + call + " " + what + " of job #" + jobId);
        }
    }

    /** Throws as the killed process's threads would die, once it is dead. */
    void checkAlive() {
        alive();
    }

    private void alive() {
        if (dead.get()) {
            throw new SimulatedCrash("(the process is dead)");
        }
    }

    @Override
    public Job create(String kind, String pair, String requestedBy, Map<String, String> parameters) {
        write("create", 0, kind + " " + pair);
        return database.create(kind, pair, requestedBy, parameters);
    }

    @Override public Optional<Job> job(long id) { alive(); return database.job(id); }
    @Override public Optional<Job> liveJob(String pair) { alive(); return database.liveJob(pair); }
    @Override public Optional<Job> liveJobOn(String vm) { alive(); return database.liveJobOn(vm); }
    @Override public List<Job> jobs(String pair) { alive(); return database.jobs(pair); }
    @Override public Optional<Job> claim(String node, Duration staleAfter) { alive(); return database.claim(node, staleAfter); }
    @Override public Optional<Job> claim(long jobId, String node, Duration staleAfter) { alive(); return database.claim(jobId, node, staleAfter); }
    @Override public boolean heartbeat(long jobId, String node) { alive(); return database.heartbeat(jobId, node); }
    @Override public boolean release(long jobId, String node) { alive(); return database.release(jobId, node); }
    @Override public List<StepRecord> journal(long jobId) { alive(); return database.journal(jobId); }

    @Override
    public void finish(long jobId, JobState state, Optional<String> error) {
        write("finish", jobId, state.name());
        database.finish(jobId, state, error);
    }

    @Override
    public void stepStarted(long jobId, String stepId) {
        write("stepStarted", jobId, stepId);
        database.stepStarted(jobId, stepId);
    }

    @Override
    public void stepDone(long jobId, String stepId, Map<String, String> outputs) {
        write("stepDone", jobId, stepId);
        database.stepDone(jobId, stepId, outputs);
    }

    @Override
    public void stepFailed(long jobId, String stepId, String error) {
        write("stepFailed", jobId, stepId);
        database.stepFailed(jobId, stepId, error);
    }
}
