package dev.duplex.engine.envsync;

import java.time.Duration;
import java.util.Optional;

/** Chooses between applying a diff and writing the whole info (seed S403/S404). */
public interface SyncChooser {
    /** The choice for this workload. */
    SyncDecision choose(SyncWorkload workload);

    /**
     * Learns from a measured sync; returns the corrected model to persist, if this chooser has one.
     * This chooser is not changed: build a new one from the returned model.
     */
    default Optional<CostModel> learn(SyncPath path, SyncWorkload workload, Duration actual) {
        return Optional.empty();
    }

    /** The calibrated model's chooser if there is a model, otherwise the seed's half-size rule. */
    static SyncChooser of(Optional<CostModel> calibrated) {
        return calibrated.<SyncChooser>map(CostModelChooser::new).orElseGet(HalfSizeRule::new);
    }
}
