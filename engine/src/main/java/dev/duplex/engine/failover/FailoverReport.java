package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.envsync.SyncReport;
import java.time.Duration;

/**
 * What a failover (seed S400) did and how long each phase took.
 *
 * @param jobId the failover job
 * @param pair the pair
 * @param oldActive the VM fenced
 * @param newActive the standby started, now active
 * @param fence how fencing went
 * @param sync what the environment sync chose, why, predicted and actual times
 * @param fenceTime time of the fence phase
 * @param syncTime time of the sync phase (reading the stored info and diff, writing, verifying)
 * @param startTime time of starting the standby
 * @param promoteTime time from the standby started to it reporting ACT (its health, the promotion)
 * @param total the whole failover, job bookkeeping included
 * @param overhead where the time outside the four phases went, and how much of promote was the standby booting
 */
public record FailoverReport(long jobId, String pair, String oldActive, String newActive, FenceResult fence,
        SyncReport sync, Duration fenceTime, Duration syncTime, Duration startTime, Duration promoteTime, Duration total,
        Overhead overhead) {
    /**
     * The parts of a failover that are not fence, sync, start or promote, and one part of promote.
     *
     * @param prepare from the command to the fence: reading the pair, its role controller, creating and claiming the job, the checks
     * @param healthWait within promote: from the standby started to it reporting healthy (its application booting)
     * @param record after promote: recording the new active, the audit entry, ending the job
     */
    public record Overhead(Duration prepare, Duration healthWait, Duration record) {
        public Overhead {
            requireNonNull(prepare, "prepare is null");
            requireNonNull(healthWait, "healthWait is null");
            requireNonNull(record, "record is null");
        }
    }

    public FailoverReport {
        requireNonNull(overhead, "overhead is null");
        requireNonNull(pair, "pair is null");
        requireNonNull(oldActive, "oldActive is null");
        requireNonNull(newActive, "newActive is null");
        requireNonNull(fence, "fence is null");
        requireNonNull(sync, "sync is null");
        requireNonNull(fenceTime, "fenceTime is null");
        requireNonNull(syncTime, "syncTime is null");
        requireNonNull(startTime, "startTime is null");
        requireNonNull(promoteTime, "promoteTime is null");
        requireNonNull(total, "total is null");
    }
}
