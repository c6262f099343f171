package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.Capability;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ObjectName;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety snapshot of a {@code link} (or {@code copy-at-boot}) upgrade: with those strategies the
 * new version writes to the only copy of a member's database, so before its new VM is created
 * (S22/S27, the member's old VM stopped by S21/S26, nothing writing) each of its volumes gets a
 * copy-on-write snapshot where the driver has {@link Capability#VOLUME_SNAPSHOT}. A rollback puts
 * it back before the old image starts on the volume; once the upgrade is over (succeeded, or rolled
 * back) the snapshots are dropped after {@link UpgradeSettings#snapshotRetention()}.
 *
 * <p>A snapshot is named after the upgrade job and the member ({@link #name}), so a step run again
 * after a crash, and a rollback in another process, find it on the platform by name
 * ({@link HypervisorDriver#listSnapshots}); the journal records it in the step's outputs too.
 */
final class SafetySnapshots {
    private static final Logger log = LoggerFactory.getLogger(SafetySnapshots.class);
    private static final String PREFIX = "duplex-job-";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");

    private SafetySnapshots() {}

    /** {@code duplex-job-<job>-<member>}, cut to the naming rule's length: unique per volume, as a volume has one member. */
    static String name(long upgradeJob, String member) {
        String name = PREFIX + upgradeJob + "-" + member;
        return name.length() > ObjectName.MAX_LENGTH ? name.substring(0, ObjectName.MAX_LENGTH) : name;
    }

    /** The upgrade job a snapshot of ours belongs to, read from its name; empty for anyone else's snapshot. */
    static Optional<Long> jobOf(String snapshotName) {
        Matcher m = NAME.matcher(snapshotName);
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** Whether the strategy lets the new version write to the member's own volumes (snapshot-copy writes to a copy). */
    static boolean needed(UpgradeStrategy strategy) {
        return !strategy.copiesVolume();
    }

    /**
     * Snapshots the member's volumes, or says why not; returns the step outputs to journal
     * ({@code snapshot.<volume>} = the snapshot's name, or {@code snapshot} = why there is none).
     */
    static Map<String, String> take(UpgradeRun run, String member) {
        UpgradeJob job = run.job();
        Map<String, String> outputs = new LinkedHashMap<>();
        if (!needed(job.strategy())) {
            return outputs;
        }
        HypervisorDriver driver = run.driver(member);
        MemberBefore before = job.member(member);
        if (!driver.capabilities().supports(Capability.VOLUME_SNAPSHOT)) {
            outputs.put("snapshot", "none: endpoint " + before.endpoint() + " (" + driver.kind() + ") cannot snapshot volumes, so a"
                    + " rollback will not undo the new version's data changes");
            return outputs;
        }
        String name = name(job.rollbackOf().orElse(job.id()), member);
        for (LinkRecord link : before.links()) {
            VolumeRecord volume = run.volume(link.volume());
            long started = System.nanoTime();
            VolumeSnapshot snapshot;
            try {
                snapshot = driver.snapshotVolume(new VolumeRef(volume.driverRef(), volume.name()), name);
            } catch (UnsupportedOperationDriverException e) {
                // A driver that snapshots volumes may still not snapshot this one (vSphere: a volume
                // linked copy-at-boot); the upgrade goes on without, and says so.
                log.warn("{} job #{}: no snapshot of volume {}: {}", job.pair(), job.id(), volume.name(), e.getMessage());
                outputs.put("snapshot." + volume.name(), "none: " + e.getMessage()
                        + ", so a rollback will not undo the new version's data changes");
                continue;
            }
            log.info("{} job #{}: snapshot {} of volume {} taken in {} ms", job.pair(), job.id(), snapshot.name(), volume.name(),
                    (System.nanoTime() - started) / 1_000_000);
            outputs.put("snapshot." + volume.name(), snapshot.name());
        }
        return outputs;
    }

    /**
     * Puts the member's volumes back to the snapshots its upgrade took, before its old image starts
     * on them; the member's VMs must be stopped. A volume without one (the driver cannot snapshot,
     * the member's new VM was never made, or the snapshot was dropped after its retention) is left
     * as it is, and the outputs say so.
     */
    static Map<String, String> restore(UpgradeRun run, String member) {
        UpgradeJob job = run.job();
        Map<String, String> outputs = new LinkedHashMap<>();
        if (!needed(job.strategy())) {
            return outputs;
        }
        HypervisorDriver driver = run.driver(member);
        MemberBefore before = job.member(member);
        if (!driver.capabilities().supports(Capability.VOLUME_SNAPSHOT)) {
            outputs.put("data-restored", "no: endpoint " + before.endpoint() + " cannot snapshot volumes; " + member
                    + "'s old image starts on the data as the new version left it");
            return outputs;
        }
        String name = name(job.rollbackOf().orElse(job.id()), member);
        for (LinkRecord link : before.links()) {
            VolumeRecord volume = run.volume(link.volume());
            VolumeRef ref = new VolumeRef(volume.driverRef(), volume.name());
            Optional<VolumeSnapshot> snapshot = driver.listSnapshots(ref).stream().filter(s -> s.name().equals(name)).findFirst();
            if (snapshot.isEmpty()) {
                log.warn("{} job #{}: volume {} has no snapshot {}; {} starts its old image on it as it is", job.pair(), job.id(),
                        volume.name(), name, member);
                outputs.put("restored." + volume.name(), "no: it has no snapshot " + name + " (the new version never ran on it, or"
                        + " the snapshot was dropped after its retention)");
                continue;
            }
            driver.restoreSnapshot(snapshot.get());
            log.info("{} job #{}: volume {} restored from snapshot {} of {}", job.pair(), job.id(), volume.name(), name,
                    snapshot.get().createdAt());
            outputs.put("restored." + volume.name(), name);
        }
        return outputs;
    }

    /**
     * Drops the snapshots of the pair's (or VM's) volumes whose upgrade is over and whose retention
     * has passed: the upgrade job SUCCEEDED or ROLLED_BACK, or a rollback job of it SUCCEEDED, or a
     * newer upgrade of the pair ended, at least {@code retention} ago (the last journal record of the
     * job that ended it). Snapshots of a job that may still be rolled back (FAILED, live) stay. A failure to drop one is logged and left for the next time:
     * it never fails an upgrade.
     *
     * @return the names of the snapshots dropped, as {@code volume/snapshot}
     */
    static List<String> pruneExpired(Inventory inventory, JobQueue jobQueue, Drivers drivers, String pairOrVm, Duration retention,
            Instant now) {
        requireNonNull(retention, "retention is null");
        if (jobQueue.liveJob(pairOrVm).isPresent()) {
            return List.of(); // a rollback running now may still need them
        }
        List<String> members = inventory.pair(pairOrVm).map(p -> List.of(p.system0(), p.system1())).orElse(List.of(pairOrVm));
        return pruneExpired(jobQueue, drivers, pairOrVm, List.copyOf(inventory.vms(members).values()), inventory::volume, retention, now);
    }

    /**
     * The same for members already read, by a caller that has just found no live job on them (the upgrade's
     * checks): no second look at the job, the pair or its VMs. {@code volumes} looks a volume up by name.
     */
    static List<String> pruneExpired(JobQueue jobQueue, Drivers drivers, String pairOrVm, List<VmRecord> members,
            java.util.function.Function<String, Optional<VolumeRecord>> volumes, Duration retention, Instant now) {
        requireNonNull(retention, "retention is null");
        List<Job> history = null; // read when there is a snapshot to judge: most runs find none
        List<String> dropped = new ArrayList<>();
        for (VmRecord vm : members) {
            try {
                HypervisorDriver driver = drivers.driver(vm.endpoint());
                if (!driver.capabilities().supports(Capability.VOLUME_SNAPSHOT)) {
                    continue;
                }
                for (LinkRecord link : vm.links()) {
                    Optional<VolumeRecord> volume = volumes.apply(link.volume());
                    if (volume.isEmpty()) {
                        continue;
                    }
                    for (VolumeSnapshot snapshot : driver.listSnapshots(new VolumeRef(volume.get().driverRef(), volume.get().name()))) {
                        Optional<Long> job = jobOf(snapshot.name());
                        if (job.isEmpty()) {
                            continue;
                        }
                        history = history != null ? history : jobQueue.jobs(pairOrVm);
                        Optional<Instant> over = overAt(jobQueue, history, job.get());
                        if (over.isPresent() && !over.get().plus(retention).isAfter(now)) {
                            driver.deleteSnapshot(snapshot);
                            log.info("Snapshot {} of volume {} dropped: its upgrade ended {}, retention {}", snapshot.name(),
                                    volume.get().name(), over.get(), retention);
                            dropped.add(volume.get().name() + "/" + snapshot.name());
                        }
                    }
                }
            } catch (RuntimeException e) {
                log.warn("Could not drop the expired snapshots of {} (left for the next run): {}", vm.name(), e.getMessage());
            }
        }
        return dropped;
    }

    /** Drops the snapshots of every pair and VM in the inventory whose retention has passed. */
    static List<String> pruneAllExpired(Inventory inventory, JobQueue jobQueue, Drivers drivers, Duration retention, Instant now) {
        List<String> dropped = new ArrayList<>();
        List<String> inPairs = new ArrayList<>();
        for (PairRecord pair : inventory.pairs()) {
            inPairs.add(pair.system0());
            inPairs.add(pair.system1());
            dropped.addAll(pruneExpired(inventory, jobQueue, drivers, pair.name(), retention, now));
        }
        for (VmRecord vm : inventory.vms()) {
            if (!inPairs.contains(vm.name())) {
                dropped.addAll(pruneExpired(inventory, jobQueue, drivers, vm.name(), retention, now));
            }
        }
        return dropped;
    }

    /** When the upgrade job {@code id} was over for good, if it is: it, or a rollback of it, ended as such. */
    private static Optional<Instant> overAt(JobQueue jobQueue, List<Job> history, long id) {
        Optional<Job> job = jobQueue.job(id);
        if (job.isEmpty()) {
            return Optional.empty();
        }
        if (job.get().state() == JobState.SUCCEEDED || job.get().state() == JobState.ROLLED_BACK) {
            return lastRecord(jobQueue, id);
        }
        for (Job other : history) {
            if (other.kind().equals(UpgradeJob.KIND_ROLLBACK) && other.state() == JobState.SUCCEEDED
                    && Long.toString(id).equals(other.parameters().get("rollback-of"))) {
                return lastRecord(jobQueue, other.id());
            }
        }
        // A FAILED job is over once a newer upgrade of the pair ran: rolling the old one back then makes no sense.
        for (Job other : history) {
            if (other.id() > id && !other.kind().equals(UpgradeJob.KIND_ROLLBACK) && !other.state().live()) {
                return lastRecord(jobQueue, other.id());
            }
        }
        return Optional.empty();
    }

    private static Optional<Instant> lastRecord(JobQueue jobQueue, long jobId) {
        Instant last = null;
        for (StepRecord record : jobQueue.journal(jobId)) {
            Instant at = record.endedAt().orElse(record.startedAt());
            if (last == null || at.isAfter(last)) {
                last = at;
            }
        }
        return Optional.ofNullable(last);
    }
}
