package dev.duplex.engine.job;

/** A pair already has a live job; the database refused a second one. */
public class LiveJobExistsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long liveJobId;

    public LiveJobExistsException(String pair, long liveJobId, String liveJobKind) {
        super("Pair '" + pair + "' already has a live " + liveJobKind + " job #" + liveJobId
                + "; resume or roll it back first (duplex upgrade status " + pair + ")");
        this.liveJobId = liveJobId;
    }

    public long liveJobId() {
        return liveJobId;
    }
}
