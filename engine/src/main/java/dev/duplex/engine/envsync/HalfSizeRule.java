package dev.duplex.engine.envsync;

import java.util.Optional;

/**
 * The seed's default rule, used before a store is calibrated: apply the diff iff its encoded
 * size is at most half the size of the whole info.
 */
public final class HalfSizeRule implements SyncChooser {
    @Override
    public SyncDecision choose(SyncWorkload workload) {
        boolean diff = workload.diffBytes() * 2 <= workload.fullBytes();
        String reason = "diff of " + workload.diffBytes() + " bytes is " + (diff ? "at most" : "more than")
                + " half the info's " + workload.fullBytes() + " bytes (half-size rule; store not calibrated)";
        return new SyncDecision(diff ? SyncPath.DIFF : SyncPath.FULL, Optional.empty(), Optional.empty(), reason);
    }
}
