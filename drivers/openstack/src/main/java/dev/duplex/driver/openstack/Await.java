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
     * The deadline passed before the object reached its state. Kept apart from other failures so
     * that a caller who made the object (a server half-built) can undo it and say what it did.
     */
    static final class DeadlineMissed extends PlatformException {
        private static final long serialVersionUID = 1L;
        private final String stuck;
        private final Duration deadline;
        private final transient Object lastSeen;

        DeadlineMissed(String stuck, Duration deadline, Object lastSeen, ObjectId object) {
            super(stuck + " after " + describe(deadline), object);
            this.stuck = stuck;
            this.deadline = deadline;
            this.lastSeen = lastSeen;
        }

        /** What the last look saw (a Nova server, a Cinder volume), for a caller that words its own message. */
        <T> T lastSeen(Class<T> type) {
            return type.cast(lastSeen);
        }

        /** Where the object was stuck, without the deadline: {@code VM 'n' (id) is BUILD (scheduling), not ACTIVE}. */
        String stuck() {
            return stuck;
        }

        Duration deadline() {
            return deadline;
        }
    }

    /**
     * Looks at the object with {@code probe} until {@code done} holds, and returns what it saw
     * last. After the deadline, fails with {@link DeadlineMissed} carrying {@code timedOut}'s
     * one-line message for the last look.
     */
    <T> T until(Supplier<T> probe, Predicate<T> done, ObjectId object, Function<T, String> timedOut) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T seen = probe.get();
        while (!done.test(seen)) {
            if (System.nanoTime() - deadline > 0) {
                throw new DeadlineMissed(timedOut.apply(seen), timeout, seen, object);
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

    /** A deadline for messages: whole seconds, or milliseconds below one second. */
    static String describe(Duration deadline) {
        return deadline.compareTo(Duration.ofSeconds(1)) < 0 ? deadline.toMillis() + " ms" : deadline.toSeconds() + " s";
    }
}
