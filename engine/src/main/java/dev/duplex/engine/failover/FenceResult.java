package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.VmState;
import java.time.Duration;
import java.util.Optional;

/**
 * How fencing the old active went.
 *
 * @param vm the VM fenced
 * @param confirmed whether its driver confirmed it off (STOPPED or CRASHED)
 * @param state the last state its driver reported, if it reported one
 * @param took how long fencing took
 * @param detail what happened, for the operator (the failure when not confirmed)
 */
public record FenceResult(String vm, boolean confirmed, Optional<VmState> state, Duration took, String detail) {
    public FenceResult {
        requireNonNull(vm, "vm is null");
        requireNonNull(state, "state is null");
        requireNonNull(took, "took is null");
        requireNonNull(detail, "detail is null");
    }
}
