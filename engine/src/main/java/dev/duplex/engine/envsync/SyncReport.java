package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * What a failover sync (seed S400) did: the chooser's decision with its predictions, the path
 * actually taken (a refused diff falls back to a full write), the revisions, the measured time
 * and bytes written, and the corrected cost model to persist if the chooser has one.
 *
 * @param decision the chooser's decision (path NONE when the revisions were equal)
 * @param performed the path actually taken
 * @param fromRevision the standby's revision before
 * @param toRevision the standby's revision after
 * @param actual the measured time of the write, including its checks and verification
 * @param bytesWritten the bytes the write carried
 * @param learnedModel the cost model corrected by this measurement, to persist
 * @param reason why this path was taken, for the operator
 */
public record SyncReport(SyncDecision decision, SyncPath performed, long fromRevision, long toRevision,
        Duration actual, long bytesWritten, Optional<CostModel> learnedModel, String reason) {
    public SyncReport {
        requireNonNull(decision, "decision is null");
        requireNonNull(performed, "performed is null");
        requireNonNull(actual, "actual is null");
        requireNonNull(learnedModel, "learnedModel is null");
        requireNonNull(reason, "reason is null");
    }
}
