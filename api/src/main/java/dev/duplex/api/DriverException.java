package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A driver operation failed. Every failure a driver reports is a subclass of this, saying
 * what failed, on which object, and whether trying again can help. Drivers translate their
 * platform's errors (libvirt codes, vSphere faults, HTTP statuses) into these in one place,
 * keeping the platform's own message as the cause or in the text.
 *
 * <p>Messages never contain secrets: redact URIs with {@link Redaction#redactUri(String)}.
 */
public abstract class DriverException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ObjectId object;

    protected DriverException(String message, ObjectId object, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.object = object;
    }

    /** The object the failed operation was about, when there was one. */
    public Optional<ObjectId> object() {
        return Optional.ofNullable(object);
    }

    /** Whether the same call may succeed if tried again later (a timeout, a busy platform). */
    public abstract boolean retryable();
}
