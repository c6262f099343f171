package dev.duplex.engine.envsync;

/**
 * A write went through but the store does not read back as the target revision: the standby's
 * info is now neither the base nor the target. The message says what differs and what to do.
 * Never start a standby after this exception.
 */
public class TargetVerificationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TargetVerificationException(String message) {
        super(message);
    }
}
