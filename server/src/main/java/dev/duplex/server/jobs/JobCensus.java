package dev.duplex.server.jobs;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every job, read through the job port's per-target listing (pairs and single VMs), newest first;
 * and the count by state for the metrics, recomputed at most every {@code countsMaxAge}. The port
 * has no listing of all jobs yet: when it gets one, this class shrinks to a call of it.
 */
public final class JobCensus {
    private final Inventory inventory;
    private final JobQueue jobs;
    private final Duration countsMaxAge;
    private Map<JobState, Long> counts = Map.of();
    private Instant countedAt = Instant.EPOCH;

    public JobCensus(Inventory inventory, JobQueue jobs, Duration countsMaxAge) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.countsMaxAge = requireNonNull(countsMaxAge, "countsMaxAge is null");
    }

    public List<Job> all() {
        Set<String> targets = new LinkedHashSet<>();
        inventory.pairs().stream().map(PairRecord::name).forEach(targets::add);
        inventory.vms().stream().map(VmRecord::name).forEach(targets::add);
        Map<Long, Job> byId = new java.util.HashMap<>();
        for (String target : targets) {
            for (Job job : jobs.jobs(target)) {
                byId.putIfAbsent(job.id(), job);
            }
        }
        List<Job> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparingLong(Job::id).reversed());
        return all;
    }

    /** How many jobs are in each state. */
    public synchronized long count(JobState state) {
        if (Duration.between(countedAt, Instant.now()).compareTo(countsMaxAge) > 0) {
            Map<JobState, Long> fresh = new EnumMap<>(JobState.class);
            for (JobState s : JobState.values()) {
                fresh.put(s, 0L);
            }
            for (Job job : all()) {
                fresh.merge(job.state(), 1L, Long::sum);
            }
            counts = fresh;
            countedAt = Instant.now();
        }
        return counts.getOrDefault(state, 0L);
    }
}
