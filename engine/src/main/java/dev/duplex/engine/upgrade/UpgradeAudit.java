package dev.duplex.engine.upgrade;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the audit log keeps of an upgrade job's milestones: values that {@link dev.duplex.engine.audit.AuditTrail}
 * serialises with Jackson (components in snake case), so a name or an error message with quotes or
 * control characters is stored as the JSON it is, never spliced into text.
 */
final class UpgradeAudit {
    private UpgradeAudit() {
    }

    /** A pair's upgrade began. */
    record PairRun(long job, String strategy, List<String> images) {
        PairRun {
            images = List.copyOf(images);
        }
    }

    /** A single VM's upgrade began. */
    record VmRun(long job, String strategy, String image) {}

    /** A job was taken over from its journal. */
    record Resumed(long job) {}

    /** A rollback began: {@code job} runs it, {@code rollbackOf} is the job rolled back. */
    record RollbackRun(long job, long rollbackOf) {}

    /** The operator stopped the job; {@code where} says at which journal point. */
    record Stopped(long job, String where) {}

    /** The job ended; {@code error} only when it failed or was rolled back because of one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Ended(long job, String state, String strategy, String error) {}
}
