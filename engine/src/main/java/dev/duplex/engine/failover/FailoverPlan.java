package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.fleet.MemberPlace;
import java.util.Optional;

/**
 * What {@code failover} would do now, touching nothing (a dry run).
 *
 * @param pair the pair
 * @param fenced the active, which would be powered off
 * @param started the standby, which would be synced, started and promoted
 * @param fromRevision the standby's environment revision now, when an active revision is recorded
 * @param toRevision the active's latest recorded revision, if any
 * @param sync nothing, the diff or a full write, with the predicted times when the chooser predicts them, and why
 * @param fencedAt where the active runs: its endpoint and driver (the two members may be on different ones)
 * @param startedAt where the standby runs
 */
public record FailoverPlan(String pair, String fenced, String started, Optional<Long> fromRevision, Optional<Long> toRevision,
        SyncDecision sync, MemberPlace fencedAt, MemberPlace startedAt) {
    public FailoverPlan {
        requireNonNull(pair, "pair is null");
        requireNonNull(fenced, "fenced is null");
        requireNonNull(started, "started is null");
        requireNonNull(fromRevision, "fromRevision is null");
        requireNonNull(toRevision, "toRevision is null");
        requireNonNull(sync, "sync is null");
        requireNonNull(fencedAt, "fencedAt is null");
        requireNonNull(startedAt, "startedAt is null");
    }
}
