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
 */
public record FailoverReport(long jobId, String pair, String oldActive, String newActive, FenceResult fence,
        SyncReport sync, Duration fenceTime, Duration syncTime, Duration startTime, Duration promoteTime, Duration total) {
    public FailoverReport {
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
