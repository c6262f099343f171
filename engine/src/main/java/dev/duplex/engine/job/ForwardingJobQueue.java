package dev.duplex.engine.job;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job queue that passes every call to another: the base of a decorator that watches some calls
 * (a stopwatch on the steps, a note of the job's number when it is created) and changes none.
 */
public abstract class ForwardingJobQueue implements JobQueue {
    private final JobQueue journal;

    protected ForwardingJobQueue(JobQueue journal) {
        this.journal = requireNonNull(journal, "journal is null");
    }

    @Override
    public Job create(String kind, String pair, String requestedBy, Map<String, String> parameters) {
        return journal.create(kind, pair, requestedBy, parameters);
    }

    @Override
    public Job createClaimed(String kind, String pair, String requestedBy, Map<String, String> parameters, String node) {
        return journal.createClaimed(kind, pair, requestedBy, parameters, node);
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
    public Map<String, Job> liveJobs(java.util.Collection<String> pairs) {
        return journal.liveJobs(pairs);
    }

    @Override
    public Optional<Job> liveJobOn(String vm) {
        return journal.liveJobOn(vm);
    }

    @Override
    public Optional<Job> liveJobTouching(String pair, java.util.Collection<String> vms) {
        return journal.liveJobTouching(pair, vms);
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
    public void stepStarted(long jobId, String stepId) {
        journal.stepStarted(jobId, stepId);
    }

    @Override
    public void stepDone(long jobId, String stepId, Map<String, String> outputs) {
        journal.stepDone(jobId, stepId, outputs);
    }

    @Override
    public void stepDoneThenStarted(long jobId, String doneStep, Map<String, String> outputs, String nextStep) {
        journal.stepDoneThenStarted(jobId, doneStep, outputs, nextStep);
    }

    @Override
    public void stepDoneThenFinish(long jobId, String doneStep, Map<String, String> outputs, JobState state, Optional<String> error) {
        journal.stepDoneThenFinish(jobId, doneStep, outputs, state, error);
    }

    @Override
    public void keptLine(long jobId, String lineId, Map<String, String> outputs) {
        journal.keptLine(jobId, lineId, outputs);
    }

    @Override
    public void stepFailed(long jobId, String stepId, String error) {
        journal.stepFailed(jobId, stepId, error);
    }

    @Override
    public List<StepRecord> journal(long jobId) {
        return journal.journal(jobId);
    }
}
