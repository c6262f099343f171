package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.upgrade.UpgradeStrategy;

/**
 * A fleet upgrade as an operator asks for it.
 *
 * @param selection which pairs
 * @param image the new image (registered ahead) for both members of every pair
 * @param strategy how the new VMs get at their databases
 * @param maxInFlight the most pairs upgraded at once (1 to {@link #MAX_IN_FLIGHT})
 * @param canary how many pairs the first wave has (1 to max-in-flight)
 * @param maxFailedPercent the share of the pairs started, in percent (0 to 100), that may fail before the fleet starts no more
 * @param requestedBy who asks (user@host)
 */
public record FleetRequest(FleetSelection selection, String image, UpgradeStrategy strategy, int maxInFlight, int canary,
        int maxFailedPercent, String requestedBy) {
    /** More pairs at once than this would be more threads and database connections than one orchestrator should hold. */
    public static final int MAX_IN_FLIGHT = 1000;

    public FleetRequest {
        requireNonNull(selection, "selection is null");
        requireNonNull(image, "image is null");
        requireNonNull(strategy, "strategy is null");
        requireNonNull(requestedBy, "requestedBy is null");
        dev.duplex.api.ObjectName.check("image", image);
        if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT) {
            throw new IllegalArgumentException("--max-in-flight is 1 to " + MAX_IN_FLIGHT + ", not " + maxInFlight);
        }
        if (canary < 1 || canary > maxInFlight) {
            throw new IllegalArgumentException("--canary is 1 to the max-in-flight (" + maxInFlight + "), not " + canary);
        }
        if (maxFailedPercent < 0 || maxFailedPercent > 100) {
            throw new IllegalArgumentException("--max-failed-percent is 0 to 100, not " + maxFailedPercent);
        }
    }
}
