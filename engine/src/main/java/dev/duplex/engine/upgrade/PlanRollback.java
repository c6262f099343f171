package dev.duplex.engine.upgrade;

import dev.duplex.api.VmInfo;
import dev.duplex.api.VmState;
import dev.duplex.api.role.Role;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import java.util.LinkedHashMap;
import java.util.List;
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
 * or was stopped), the pair serves nothing: the
 * inventory's active, still on its old image, is started if need be and made the active again
 * before anything else ({@link #SERVE_FIRST}, {@link #START_FIRST}).
 */
final class PlanRollback implements UpgradeStep {
    static final String RESTORE_STANDBY = "restore-standby";
    static final String RESTORE_ACTIVE = "restore-active";
    static final String ACTIVE = "active";
    static final String REASON = "reason";
    static final String FAILS_JOB = "fails-job";
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
        Map<String, Optional<Role>> roles = new LinkedHashMap<>();
        for (String member : List.of(active, standby)) {
            roles.put(member, roleOf(run, member));
        }
        if (roles.get(standby).equals(Optional.of(Role.ACT)) && !roles.get(active).equals(Optional.of(Role.ACT))) {
            // the members say so, not the inventory (a switchover whose last read failed): the R steps' switchover records it
            decision.put("reported-active", standby);
            String was = active;
            active = standby;
            standby = was;
        } else if (roles.values().stream().anyMatch(Optional::isPresent) && roles.values().stream().noneMatch(r -> r.equals(Optional.of(Role.ACT)))
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

    /** The member's role, or empty when it does not answer (stopped, or unreachable). */
    private static Optional<Role> roleOf(UpgradeRun run, String member) {
        try {
            return Optional.of(run.roleController().role(run.pairContext(), member));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the member is still its old VM on its old image (stopped or not), with no VM of this job made for it. */
    private static boolean onOldVm(UpgradeRun run, String member) {
        return run.findVmByName(member, run.job().newVmName(member)).isEmpty() && run.vmRecord(member).image().equals(run.job().member(member).image())
                && run.currentVm(member).isPresent();
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
