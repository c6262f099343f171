package dev.duplex.engine.job;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The job port: creation, claiming across processes, heartbeats, and the step journal.
 */
public interface JobQueue {
    /**
     * Creates a PENDING job and takes the job lock of every VM it touches (both members of a pair,
     * or the one VM). Refused with {@link LiveJobExistsException} naming the holder when the pair
     * already has a live job or any of those VMs is held by another live job.
     */
    Job create(String kind, String pair, String requestedBy, java.util.Map<String, String> parameters);

    /**
     * Creates a job as {@link #create} does, already claimed by {@code node}: RUNNING, owned, its
     * heartbeat now. For the process that runs what it creates: one write instead of a create and a
     * claim, and no moment in which another node could claim the job first.
     */
    default Job createClaimed(String kind, String pair, String requestedBy, java.util.Map<String, String> parameters, String node) {
        Job created = create(kind, pair, requestedBy, parameters);
        return claim(created.id(), node, Duration.ofDays(365)).orElseThrow(() -> new IllegalStateException(
                "job #" + created.id() + " was claimed by another process before the one that created it"));
    }

    Optional<Job> job(long id);

    /** The pair's live job, if any. */
    Optional<Job> liveJob(String pair);

    /**
     * The live jobs of {@code pairs}, by pair. A store answers it in one query: a fleet plan asks it
     * for every selected pair, which one {@link #liveJob} each would make thousands of round trips.
     */
    default java.util.Map<String, Job> liveJobs(java.util.Collection<String> pairs) {
        java.util.Map<String, Job> live = new java.util.HashMap<>();
        for (String pair : pairs) {
            liveJob(pair).ifPresent(job -> live.put(pair, job));
        }
        return live;
    }

    /** The live job holding {@code vm}'s job lock, if any: its own job or its pair's. */
    Optional<Job> liveJobOn(String vm);

    /**
     * The live job of {@code pair} (a pair's or a single VM's name), else one holding the lock of any of {@code vms}:
     * what a new job on them would wait for. A queue on a database answers in one look.
     */
    default Optional<Job> liveJobTouching(String pair, java.util.Collection<String> vms) {
        Optional<Job> live = liveJob(pair);
        for (String vm : vms) {
            live = live.or(() -> liveJobOn(vm));
        }
        return live;
    }

    /** The pair's jobs, newest first. */
    List<Job> jobs(String pair);

    /**
     * Claims one job for {@code node}: a PENDING job, or a live job whose owner's heartbeat is
     * older than {@code staleAfter}. Uses row locks ({@code FOR UPDATE SKIP LOCKED}) so that two
     * processes never claim the same job. The claimed job is RUNNING and owned by {@code node}.
     */
    Optional<Job> claim(String node, Duration staleAfter);

    /** Claims one given job, under the same rule as {@link #claim}. */
    Optional<Job> claim(long jobId, String node, Duration staleAfter);

    /** Refreshes the heartbeat; false if {@code node} no longer owns the job (it was taken over). */
    boolean heartbeat(long jobId, String node);

    /**
     * Refreshes the heartbeats of those of {@code jobIds} that {@code node} still owns, in one write
     * (a node beats for all its running jobs at once), and returns them: a job missing from the
     * answer was taken over or has ended.
     */
    default java.util.Set<Long> heartbeat(java.util.Collection<Long> jobIds, String node) {
        java.util.Set<Long> owned = new java.util.HashSet<>();
        for (long jobId : jobIds) {
            if (heartbeat(jobId, node)) {
                owned.add(jobId);
            }
        }
        return owned;
    }

    /**
     * Hands a running job back unfinished: PENDING, without owner or heartbeat, its VMs still
     * locked, so that {@code resume} takes it at once. For an operator who stopped the job (Ctrl-C):
     * its journal says where. False if {@code node} does not own it.
     */
    boolean release(long jobId, String node);

    /** Ends a job (SUCCEEDED, FAILED, ROLLED_BACK) and releases it and its VMs' job locks. */
    void finish(long jobId, JobState state, Optional<String> error);

    /** Journals that a step starts. Written (committed) before the step runs. */
    void stepStarted(long jobId, String stepId);

    /**
     * Journals that a step ended, with what it produced. Visible at once; a store may let it reach
     * the disk with the next step's STARTED or the job's end (a DONE lost to a database crash leaves
     * the step STARTED, and it runs again on resume, as after a kill just before its DONE).
     */
    void stepDone(long jobId, String stepId, java.util.Map<String, String> outputs);

    /**
     * Journals that step {@code doneStep} ended with {@code outputs} and step {@code nextStep}
     * starts, as {@link #stepDone} then {@link #stepStarted} would, both committed before the next
     * step runs. A store may write them as one transaction: one round trip per step boundary
     * instead of two.
     */
    default void stepDoneThenStarted(long jobId, String doneStep, java.util.Map<String, String> outputs, String nextStep) {
        stepDone(jobId, doneStep, outputs);
        stepStarted(jobId, nextStep);
    }

    /**
     * Journals that step {@code doneStep} ended with {@code outputs} and ends the job, as
     * {@link #stepDone} then {@link #finish} would. A store may write them as one transaction,
     * and then neither is written for a job that has ended already.
     */
    default void stepDoneThenFinish(long jobId, String doneStep, java.util.Map<String, String> outputs, JobState state,
            Optional<String> error) {
        stepDone(jobId, doneStep, outputs);
        finish(jobId, state, error);
    }

    /**
     * Journals line {@code lineId}, which is no step of the plan, as DONE with {@code outputs}, replacing an earlier one: what a
     * step keeps before it destroys where it read it from (a VM's operating environment before the VM goes). Unlike a
     * {@link #stepDone}, on disk when this returns. The default suits a store whose {@link #stepDone} is; one that lets a
     * DONE wait for the next STARTED must override it.
     */
    default void keptLine(long jobId, String lineId, java.util.Map<String, String> outputs) {
        stepStarted(jobId, lineId);
        stepDone(jobId, lineId, outputs);
    }

    /** Journals that a step failed. */
    void stepFailed(long jobId, String stepId, String error);

    /** The job's journal in the order written (the latest record per step). */
    List<StepRecord> journal(long jobId);
}
