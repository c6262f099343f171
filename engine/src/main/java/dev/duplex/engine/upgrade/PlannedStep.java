package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A step of a plan.
 *
 * @param step the step: id, action, member, who serves meanwhile
 * @param predicted how long it is predicted to take
 * @param basis how that was predicted ({@code "mean of 3 earlier jobs"}, {@code "assumed"}, {@code "64 MiB at 200 MiB/s assumed"})
 */
public record PlannedStep(StepInfo step, Duration predicted, String basis) {
    public PlannedStep {
        requireNonNull(step, "step is null");
        requireNonNull(predicted, "predicted is null");
        requireNonNull(basis, "basis is null");
    }
}
