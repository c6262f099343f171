package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectId;
import dev.duplex.api.PlatformException;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls OpenStack until an object reaches a state, with a short pause and a deadline. */
final class Await {
    private final Duration interval;
    private final Duration timeout;

    Await(Duration interval, Duration timeout) {
        this.interval = requireNonNull(interval, "interval is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /**
     * Looks at the object with {@code probe} until {@code done} holds, and returns what it saw
     * last. After the deadline, fails with {@code timedOut}'s one-line message for the last look.
     */
    <T> T until(Supplier<T> probe, Predicate<T> done, ObjectId object, Function<T, String> timedOut) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T seen = probe.get();
        while (!done.test(seen)) {
            if (System.nanoTime() - deadline > 0) {
                throw new PlatformException(timedOut.apply(seen) + " after " + timeout.toSeconds() + " s", object);
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PlatformException("Interrupted while waiting for " + object, object);
            }
            seen = probe.get();
        }
        return seen;
    }

    Duration timeout() {
        return timeout;
    }
}
