package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

/**
 * A failover phase failed after the failover began; the job is FAILED and the message says in
 * which phase, what state the pair is left in, and what to do.
 */
public class FailoverException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String phase;

    public FailoverException(String phase, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.phase = requireNonNull(phase, "phase is null");
    }

    /** The phase that failed: {@code fence}, {@code sync}, {@code start} or {@code record-roles}. */
    public String phase() {
        return phase;
    }
}
