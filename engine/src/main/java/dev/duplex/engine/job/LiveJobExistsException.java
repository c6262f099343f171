package dev.duplex.engine.job;

import java.util.Optional;

/**
 * A pair or VM is held by a live job; the database refused a second job on it (one job lock per
 * VM, shared by pair and single-VM jobs), or a command that would change the VM under the job was
 * refused. The message names the job and the one command that moves it forward.
 */
public class LiveJobExistsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long liveJobId;

    /** {@code target} (a pair or a VM) is held by a live job of which only the id and kind are known. */
    public LiveJobExistsException(String target, long liveJobId, String liveJobKind) {
        this(target, liveJobId, liveJobKind, Optional.empty(), target);
    }

    /**
     * {@code target} is held by live job {@code liveJobId}, which works on {@code jobTarget} (the
     * pair of a member, or the VM itself).
     */
    public LiveJobExistsException(String target, long liveJobId, String liveJobKind, Optional<JobState> state, String jobTarget) {
        super("'" + target + "' is in live " + liveJobKind + " job #" + liveJobId + state.map(s -> " (" + s + ")").orElse("")
                + (target.equals(jobTarget) ? "" : " of '" + jobTarget + "'")
                + ": wait for it, or run `" + forwardCommand(liveJobKind, liveJobId, jobTarget) + "`");
        this.liveJobId = liveJobId;
    }

    /** The same refusal for a command on a VM that {@code force} would run anyway. */
    public LiveJobExistsException withOverride(String forcedCommand) {
        return new LiveJobExistsException(this, forcedCommand);
    }

    private LiveJobExistsException(LiveJobExistsException refusal, String forcedCommand) {
        super(refusal.getMessage() + "; `" + forcedCommand + "` does it anyway (audited)", refusal);
        this.liveJobId = refusal.liveJobId;
    }

    public long liveJobId() {
        return liveJobId;
    }

    /**
     * The command that carries a live job on: an upgrade or rollback is resumed from its journal;
     * a failover whose node died is taken over by running the failover again (see Failover).
     */
    public static String forwardCommand(String kind, long jobId, String jobTarget) {
        return kind.equals("failover") ? "duplex failover " + jobTarget : "duplex upgrade resume " + jobId;
    }
}
