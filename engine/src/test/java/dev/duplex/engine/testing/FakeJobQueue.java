package dev.duplex.engine.testing;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job port in memory, with the database's rules: one live job per pair, claims that respect
 * a fresh heartbeat. {@link #crashInStepDone} makes the next {@code stepDone} of a step die before
 * it is written — the orchestrator killed after the step's work, before its DONE record.
 */
public final class FakeJobQueue implements JobQueue {
    private final Map<Long, Job> jobs = new LinkedHashMap<>();
    private final Map<Long, List<StepRecord>> journals = new LinkedHashMap<>();
    private long nextId = 1;
    private String crashStep;

    public synchronized void crashInStepDone(String stepId) {
        crashStep = stepId;
    }

    @Override
    public synchronized Job create(String kind, String pair, String requestedBy, Map<String, String> parameters) {
        Optional<Job> live = liveJob(pair);
        if (live.isPresent()) {
            throw new LiveJobExistsException(pair, live.get().id(), live.get().kind());
        }
        Job job = new Job(nextId++, kind, pair, JobState.PENDING, requestedBy, parameters, Optional.empty(), Optional.empty(), Optional.empty());
        jobs.put(job.id(), job);
        journals.put(job.id(), new ArrayList<>());
        return job;
    }

    @Override
    public synchronized Optional<Job> job(long id) {
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public synchronized Optional<Job> liveJob(String pair) {
        return jobs.values().stream().filter(j -> j.pair().equals(pair) && j.state().live()).findFirst();
    }

    /**
     * The database finds a VM's lock in its own table; the fake finds the live job named after the
     * VM, or an upgrade job that lists it as a member (its parameters {@code member.N.member}).
     */
    @Override
    public synchronized Optional<Job> liveJobOn(String vm) {
        return jobs.values().stream().filter(j -> j.state().live())
                .filter(j -> j.pair().equals(vm) || j.parameters().entrySet().stream()
                        .anyMatch(e -> e.getKey().endsWith(".member") && e.getValue().equals(vm)))
                .findFirst();
    }

    @Override
    public synchronized List<Job> jobs(String pair) {
        return jobs.values().stream().filter(j -> j.pair().equals(pair)).sorted(Comparator.comparingLong(Job::id).reversed()).toList();
    }

    @Override
    public synchronized Optional<Job> claim(String node, Duration staleAfter) {
        for (Job job : jobs.values()) {
            Optional<Job> claimed = claim(job.id(), node, staleAfter);
            if (claimed.isPresent()) {
                return claimed;
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized Optional<Job> claim(long jobId, String node, Duration staleAfter) {
        Job job = jobs.get(jobId);
        if (job == null || !job.state().live()) {
            return Optional.empty();
        }
        boolean free = job.state() == JobState.PENDING
                || job.heartbeat().map(beat -> !beat.isAfter(Instant.now().minus(staleAfter))).orElse(true);
        if (!free) {
            return Optional.empty();
        }
        Job claimed = new Job(job.id(), job.kind(), job.pair(), JobState.RUNNING, job.requestedBy(), job.parameters(), Optional.of(node),
                Optional.of(Instant.now()), Optional.empty());
        jobs.put(jobId, claimed);
        return Optional.of(claimed);
    }

    @Override
    public synchronized boolean release(long jobId, String node) {
        Job job = jobs.get(jobId);
        if (job == null || job.state() != JobState.RUNNING || !job.owner().equals(Optional.of(node))) {
            return false;
        }
        jobs.put(jobId, new Job(job.id(), job.kind(), job.pair(), JobState.PENDING, job.requestedBy(), job.parameters(),
                Optional.empty(), Optional.empty(), job.error()));
        return true;
    }

    @Override
    public synchronized boolean heartbeat(long jobId, String node) {
        Job job = jobs.get(jobId);
        if (job == null || !job.owner().equals(Optional.of(node))) {
            return false;
        }
        jobs.put(jobId, new Job(job.id(), job.kind(), job.pair(), job.state(), job.requestedBy(), job.parameters(), job.owner(),
                Optional.of(Instant.now()), job.error()));
        return true;
    }

    @Override
    public synchronized void finish(long jobId, JobState state, Optional<String> error) {
        Job job = jobs.get(jobId);
        jobs.put(jobId, new Job(job.id(), job.kind(), job.pair(), state, job.requestedBy(), job.parameters(), Optional.empty(),
                job.heartbeat(), error));
    }

    @Override
    public synchronized void stepStarted(long jobId, String stepId) {
        journals.get(jobId).add(new StepRecord(jobId, stepId, StepState.STARTED, Instant.now(), Optional.empty(), Optional.empty(), Map.of()));
    }

    @Override
    public synchronized void stepDone(long jobId, String stepId, Map<String, String> outputs) {
        if (stepId.equals(crashStep)) {
            crashStep = null;
            throw new SimulatedCrash("after " + stepId + " ran, before its DONE record");
        }
        end(jobId, stepId, StepState.DONE, Optional.empty(), outputs);
    }

    @Override
    public synchronized void stepFailed(long jobId, String stepId, String error) {
        end(jobId, stepId, StepState.FAILED, Optional.of(error), Map.of());
    }

    private void end(long jobId, String stepId, StepState state, Optional<String> error, Map<String, String> outputs) {
        List<StepRecord> journal = journals.get(jobId);
        StepRecord started = journal.stream().filter(r -> r.stepId().equals(stepId)).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException(stepId + " ended without having started"));
        journal.add(new StepRecord(jobId, stepId, state, started.startedAt(), Optional.of(Instant.now()), error, outputs));
    }

    @Override
    public synchronized List<StepRecord> journal(long jobId) {
        // the latest record per step, in the order the steps were first written
        Map<String, StepRecord> latest = new LinkedHashMap<>();
        for (StepRecord record : journals.getOrDefault(jobId, List.of())) {
            latest.put(record.stepId(), record);
        }
        return List.copyOf(latest.values());
    }

    /** Every record as written, for order checks. */
    public synchronized List<StepRecord> allRecords(long jobId) {
        return List.copyOf(journals.get(jobId));
    }
}
