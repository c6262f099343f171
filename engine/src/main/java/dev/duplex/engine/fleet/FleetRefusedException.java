package dev.duplex.engine.fleet;

/** A fleet command refused before it touched anything; the message says why and what to do. */
public class FleetRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FleetRefusedException(String message) {
        super(message);
    }
}
