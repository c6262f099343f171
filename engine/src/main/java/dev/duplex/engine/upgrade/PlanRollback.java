package dev.duplex.engine.upgrade;

import dev.duplex.api.VmInfo;
import dev.duplex.api.VmState;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * R0: decides, from the platform and the inventory as they are now, which members must go back
 * to their old images, and journals the decision so that a resumed rollback follows the same
 * plan. A member needs restoring when its VM is not its old, running VM, or when the VM this
 * job created for it still exists.
 */
final class PlanRollback implements UpgradeStep {
    static final String RESTORE_STANDBY = "restore-standby";
    static final String RESTORE_ACTIVE = "restore-active";
    static final String ACTIVE = "active";
    static final String REASON = "reason";
    static final String FAILS_JOB = "fails-job";

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
        decision.put(ACTIVE, active);
        if (onlyMember.isPresent()) {
            decision.put(onlyMember.get().equals(standby) ? RESTORE_STANDBY : RESTORE_ACTIVE, onlyMember.get());
            return decision;
        }
        if (needsRestore(run, standby)) {
            decision.put(RESTORE_STANDBY, standby);
        }
        if (needsRestore(run, active)) {
            decision.put(RESTORE_ACTIVE, active);
        }
        return decision;
    }

    static boolean needsRestore(UpgradeRun run, String member) {
        MemberBefore before = run.job().member(member);
        if (run.findVmByName(member, run.job().newVmName(member)).isPresent()) {
            return true;
        }
        VmRecord record = run.vmRecord(member);
        Optional<VmInfo> current = run.currentVm(member);
        return !record.image().equals(before.image()) || current.isEmpty() || current.get().state() != VmState.RUNNING;
    }
}
