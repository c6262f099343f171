package dev.duplex.engine.upgrade;

/** The upgrade (or resume, or rollback) was refused before anything was touched. The message says why and what to do. */
public class UpgradeRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UpgradeRefusedException(String message) {
        super(message);
    }

    public UpgradeRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
