package dev.duplex.engine.envsync;

/**
 * A byte sequence is not a valid diff: truncated, wrong signature, unknown version, bad
 * checksum or inconsistent entries. The message says which check failed and where.
 */
public class DiffFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DiffFormatException(String message) {
        super(message);
    }

    public DiffFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
