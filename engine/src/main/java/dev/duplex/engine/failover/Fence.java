package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmState;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Powers the old active off through its driver ({@link StopMode#FORCE}) and confirms it is off
 * (its state STOPPED or CRASHED, polled until a timeout), so that the standby never runs as a
 * second active. When that cannot be confirmed — the driver fails, the endpoint is unreachable,
 * the VM stays up — fencing is refused unless the caller forces it, accepting the risk.
 */
public final class Fence {
    private static final Logger log = LoggerFactory.getLogger(Fence.class);

    /** Default time to wait for the VM to be reported off. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final EndpointDrivers drivers;
    private final Duration timeout;
    private final Duration poll;
    private final LongSupplier nanoClock;

    public Fence(EndpointDrivers drivers) {
        this(drivers, DEFAULT_TIMEOUT, Duration.ofMillis(200), System::nanoTime);
    }

    public Fence(EndpointDrivers drivers, Duration timeout, Duration poll, LongSupplier nanoClock) {
        this.drivers = requireNonNull(drivers, "drivers is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.poll = requireNonNull(poll, "poll is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    }

    /**
     * Fences {@code member}.
     *
     * @param force go on when the VM cannot be confirmed off (the result says so)
     * @throws FenceRefusedException when it cannot be confirmed off and {@code force} is false
     */
    public FenceResult fence(PairMember member, boolean force) {
        requireNonNull(member, "member is null");
        long start = nanoClock.getAsLong();
        Optional<VmState> last = Optional.empty();
        String failure;
        RuntimeException cause = null;
        try {
            HypervisorDriver driver = drivers.driver(member.endpoint());
            driver.stop(member.ref(), StopMode.FORCE);
            long deadline = start + timeout.toNanos();
            while (true) {
                VmState state = driver.state(member.ref());
                last = Optional.of(state);
                if (state == VmState.STOPPED || state == VmState.CRASHED) {
                    Duration took = since(start);
                    log.info("Fenced {} on {}: {} after {} ms", member.name(), member.endpoint(), state, took.toMillis());
                    return new FenceResult(member.name(), true, last, took, "powered off; the driver reports " + state);
                }
                if (nanoClock.getAsLong() - deadline >= 0) {
                    failure = "it was still " + state + " " + timeout.toSeconds() + " s after a forced power-off";
                    break;
                }
                pause();
            }
        } catch (RuntimeException e) {
            cause = e;
            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        Duration took = since(start);
        String where = member.name() + " on endpoint " + member.endpoint();
        if (!force) {
            throw new FenceRefusedException("Cannot fence the active " + where + ": " + failure
                    + ". Starting the standby now could leave two actives serving at once (split brain); "
                    + "nothing was started. Make sure " + member.name()
                    + " is powered off (or cut off from the network), then run the failover again with --force",
                    cause);
        }
        log.warn("Could not confirm {} off ({}); going on because the failover is forced: two actives may run",
                where, failure);
        return new FenceResult(member.name(), false, last, took,
                "NOT confirmed off (" + failure + "); forced: the old active may still be running");
    }

    private Duration since(long start) {
        return Duration.ofNanos(nanoClock.getAsLong() - start);
    }

    private void pause() {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the old active to stop", e);
        }
    }
}
