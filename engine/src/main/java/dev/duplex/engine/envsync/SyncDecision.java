package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * A chooser's choice between applying the diff and writing the whole info, with the predicted
 * time of both paths when the chooser predicts times, and why.
 *
 * @param path the path chosen
 * @param predictedDiff predicted time of applying the diff, if predicted
 * @param predictedFull predicted time of writing the whole info, if predicted
 * @param reason one sentence for the operator
 */
public record SyncDecision(SyncPath path, Optional<Duration> predictedDiff, Optional<Duration> predictedFull,
        String reason) {
    public SyncDecision {
        requireNonNull(path, "path is null");
        requireNonNull(predictedDiff, "predictedDiff is null");
        requireNonNull(predictedFull, "predictedFull is null");
        requireNonNull(reason, "reason is null");
    }
}
