package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * Picks the path a calibrated {@link CostModel} predicts to be faster. Predictions closer than the
 * model's noise floor are a tie, and a tie goes to the diff (the seed's "diff if its time is not
 * more than the full write's"): it writes fewer bytes, so it leaves less half-written on a crash.
 */
public final class CostModelChooser implements SyncChooser {
    private final CostModel model;

    public CostModelChooser(CostModel model) {
        this.model = requireNonNull(model, "model is null");
    }

    /** The model this chooser predicts with. */
    public CostModel model() {
        return model;
    }

    @Override
    public SyncDecision choose(SyncWorkload workload) {
        double diff = model.diffNanos(workload);
        double full = model.fullNanos(workload);
        boolean useDiff = diff <= full + model.noiseNanos();
        String relation = diff <= full ? "<=" : useDiff ? "within the noise floor of" : ">";
        String reason = String.format(
                "predicted diff apply %.3f ms (%d entries, %d pages) %s full write %.3f ms (%d bytes)",
                diff / 1e6, workload.entries(), workload.pagesTouched(), relation, full / 1e6,
                workload.fullBytes());
        if (diff > full && useDiff) {
            reason += String.format(" (noise floor %.3f ms: a tie goes to the diff)", model.noiseNanos() / 1e6);
        }
        return new SyncDecision(useDiff ? SyncPath.DIFF : SyncPath.FULL, Optional.of(nanos(diff)),
                Optional.of(nanos(full)), reason);
    }

    @Override
    public Optional<CostModel> learn(SyncPath path, SyncWorkload workload, Duration actual) {
        return Optional.of(model.observe(path, workload, actual));
    }

    private static Duration nanos(double nanos) {
        return Duration.ofNanos(Math.round(nanos));
    }
}
