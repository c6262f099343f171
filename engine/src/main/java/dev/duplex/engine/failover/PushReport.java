package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What {@link EnvironmentPush} did for one update of the active's info (seed S300).
 *
 * @param pair the pair
 * @param active the active VM, under whose name the revision was recorded (101)
 * @param standby the cold standby whose current info (111) was compared
 * @param activeRevision the revision recorded
 * @param standbyRevision the standby's current revision
 * @param diffBytes the size of the stored diff (103), empty when the revisions are equal
 * @param diffEntries its number of entries, 0 when there is none
 */
public record PushReport(String pair, String active, String standby, long activeRevision, long standbyRevision,
        Optional<Integer> diffBytes, long diffEntries) {
    public PushReport {
        requireNonNull(pair, "pair is null");
        requireNonNull(active, "active is null");
        requireNonNull(standby, "standby is null");
        requireNonNull(diffBytes, "diffBytes is null");
    }

    /** Whether a diff was extracted and stored. */
    public boolean diffStored() {
        return diffBytes.isPresent();
    }

    /** One sentence for the operator. */
    public String summary() {
        String recorded = "Recorded revision " + activeRevision + " of " + active + " (active of " + pair + ")";
        if (diffBytes.isEmpty()) {
            return recorded + "; the standby " + standby + " is at the same revision, nothing to store";
        }
        return recorded + "; stored the diff " + standbyRevision + " -> " + activeRevision + " for the standby "
                + standby + ": " + diffBytes.get() + " bytes, " + diffEntries + " entries";
    }
}
