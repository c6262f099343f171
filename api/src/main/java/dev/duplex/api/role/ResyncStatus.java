package dev.duplex.api.role;

import static java.util.Objects.requireNonNull;

/**
 * Whether a standby's database has caught up with the active's.
 *
 * @param state in sync, lagging, or unknown
 * @param lag how far behind (entries, bytes, transactions — the application's unit); 0 when in sync, -1 when unknown
 * @param detail what the application said, for messages
 */
public record ResyncStatus(State state, long lag, String detail) {
    public ResyncStatus {
        requireNonNull(state, "state is null");
        requireNonNull(detail, "detail is null");
        if (state == State.IN_SYNC && lag != 0) {
            throw new IllegalArgumentException("an in-sync standby has no lag: " + lag);
        }
        if (state == State.LAGGING && lag <= 0) {
            throw new IllegalArgumentException("a lagging standby has a positive lag: " + lag);
        }
    }

    public static ResyncStatus inSync() {
        return new ResyncStatus(State.IN_SYNC, 0, "in sync");
    }

    public static ResyncStatus lagging(long lag) {
        return new ResyncStatus(State.LAGGING, lag, "lag " + lag);
    }

    public static ResyncStatus unknown(String detail) {
        return new ResyncStatus(State.UNKNOWN, -1, detail);
    }

    public boolean isInSync() {
        return state == State.IN_SYNC;
    }

    /** Where the standby stands. */
    public enum State {
        IN_SYNC, LAGGING, UNKNOWN
    }
}
