package dev.duplex.engine.upgrade;

import dev.duplex.api.VmInfo;
import dev.duplex.api.VmState;
import dev.duplex.api.role.Role;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.role.ReportedRole;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * R0: decides, from the platform, the members and the inventory as they are now, which members
 * must go back to their old images, and journals the decision so that a resumed rollback follows
 * the same plan. A member needs restoring when its VM is not its old, running VM, or when the VM
 * this job created for it still exists.
 *
 * <p>The members are asked their roles first, as a switchover that failed midway (its call timed
 * out, a read after it failed) can leave the inventory naming the wrong active: the member that
 * reports ACT is taken as the active (the rollback's switchover then records its peer). If they
 * answer but none reports ACT (a takeover that never happened after the old active stepped down
 * or was stopped), the pair serves nothing: the inventory's active, still on its old image, is
 * started if need be and made the active again before anything else ({@link #SERVE_FIRST}, {@link #START_FIRST}).
 */
final class PlanRollback implements UpgradeStep {
    static final String RESTORE_STANDBY = "restore-standby";
    static final String RESTORE_ACTIVE = "restore-active";
    static final String ACTIVE = "active";
    static final String REASON = "reason";
    static final String FAILS_JOB = "fails-job";
    /** The member that reported ACT where the inventory names its peer (for the journal's reader). */
    static final String REPORTED_ACTIVE = "reported-active";
    /** The member made the active again first, as no member reported ACT. */
    static final String SERVE_FIRST = "serve-first";
    /** Whether that member's (old) VM must be started first. */
    static final String START_FIRST = "start-first";

    private final Optional<String> onlyMember;
    private final String reason;
    private final boolean failsJob;

    /**
     * @param onlyMember restore just this member (after its health check failed), leaving its peer alone
     * @param reason why the rollback happens, for the journal and the job's end state
     * @param failsJob whether the job ends FAILED afterwards (a failed health check) rather than rolled back
     */
    PlanRollback(Optional<String> onlyMember, String reason, boolean failsJob) {
        this.onlyMember = onlyMember;
        this.reason = reason;
        this.failsJob = failsJob;
    }

    @Override
    public StepInfo info() {
        return UpgradeSteps.planRollbackInfo();
    }

    @Override
    public Map<String, String> run(UpgradeRun run) {
        UpgradeJob job = run.job();
        Map<String, String> decision = new LinkedHashMap<>();
        decision.put(REASON, reason);
        decision.put(FAILS_JOB, Boolean.toString(failsJob));
        if (!job.isPair()) {
            String m = job.system(0).member();
            if (needsRestore(run, m)) {
                decision.put(RESTORE_STANDBY, m);
            }
            return decision;
        }
        PairRecord pair = run.pair().orElseThrow(() -> new StepFailure("Pair " + job.pair() + " is gone from the inventory"));
        String active = pair.active();
        String standby = pair.standby();
        if (onlyMember.isPresent()) {
            decision.put(ACTIVE, active);
            decision.put(onlyMember.get().equals(standby) ? RESTORE_STANDBY : RESTORE_ACTIVE, onlyMember.get());
            return decision;
        }
        Optional<Role> activeSays = ReportedRole.of(run.roleController(), run.pairContext(), active);
        Optional<Role> standbySays = ReportedRole.of(run.roleController(), run.pairContext(), standby);
        Optional<Role> act = Optional.of(Role.ACT);
        if (standbySays.equals(act) && !activeSays.equals(act)) {
            // the members say so, not the inventory (a switchover whose last read failed): the R steps' switchover records it
            decision.put(REPORTED_ACTIVE, standby);
            String was = active;
            active = standby;
            standby = was;
        } else if ((activeSays.isPresent() || standbySays.isPresent()) && !activeSays.equals(act) && !standbySays.equals(act)
                && onOldVm(run, active)) {
            decision.put(ACTIVE, active);
            decision.put(SERVE_FIRST, active);
            decision.put(START_FIRST, Boolean.toString(run.currentVm(active).map(vm -> vm.state() != VmState.RUNNING).orElse(true)));
            if (needsRestore(run, standby)) {
                decision.put(RESTORE_STANDBY, standby);
            }
            return decision;
        }
        decision.put(ACTIVE, active);
        if (needsRestore(run, standby)) {
            decision.put(RESTORE_STANDBY, standby);
        }
        if (needsRestore(run, active)) {
            decision.put(RESTORE_ACTIVE, active);
        }
        return decision;
    }

    /** Whether the member is still its old VM on its old image (stopped or not), with no VM of this job made for it. */
    private static boolean onOldVm(UpgradeRun run, String member) {
        return run.findVmByName(member, run.job().newVmName(member)).isEmpty()
                && run.vmRecord(member).image().equals(run.job().member(member).image()) && run.currentVm(member).isPresent();
    }

    /** Unless it is its old VM on its old image and running. */
    static boolean needsRestore(UpgradeRun run, String member) {
        return !onOldVm(run, member) || run.currentVm(member).map(VmInfo::state).orElse(VmState.STOPPED) != VmState.RUNNING;
    }
}
