package dev.duplex.engine.job;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;

/**
 * The rule for commands that act on one VM outside any job ({@code vm start}, {@code vm stop},
 * {@code vm delete}): while a live job holds the VM (its own upgrade, or its pair's upgrade,
 * rollback or failover) they are refused, naming the job and the command that carries it on,
 * unless the operator forces them (the caller audits that).
 */
public final class JobLocks {
    private final JobQueue jobs;

    @Inject
    public JobLocks(JobQueue jobs) {
        this.jobs = requireNonNull(jobs, "jobs is null");
    }

    /** The live job holding {@code vm}, if any. */
    public Optional<Job> holder(String vm) {
        return jobs.liveJobOn(requireNonNull(vm, "vm is null"));
    }

    /**
     * Refuses ({@link LiveJobExistsException}) when a live job holds {@code vm}, unless {@code force};
     * returns the job a forced command went past, for the audit log.
     *
     * @param forcedCommand the command line that would do it anyway, quoted in the refusal
     */
    public Optional<Job> check(String vm, boolean force, String forcedCommand) {
        Optional<Job> holder = holder(vm);
        if (holder.isPresent() && !force) {
            Job job = holder.get();
            throw new LiveJobExistsException(vm, job.id(), job.kind(), Optional.of(job.state()), job.pair()).withOverride(forcedCommand);
        }
        return holder;
    }
}
