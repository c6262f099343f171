package dev.duplex.engine.upgrade;

import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmState;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.engine.role.ReportedRole;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * S25: switches the pair over so that {@code newActive} (already upgraded, in sync) becomes ACT —
 * the only service gap of the upgrade. Then records the new active system in the inventory.
 *
 * <p>When the old active is stopped right after ({@code stopFollows}: S26 is next) and the role
 * controller {@linkplain RoleController#canDemote can demote}, the old active need only stop taking
 * writes, not become a working standby: a database that becomes a standby only by restarting (a
 * PostgreSQL primary) would pay that restart just to be stopped. Then, in this order:
 * <ol>
 *   <li>the old active is demoted; if it then reports SBY, the new one {@linkplain RoleController#takeOver takes over}
 *       (catching up with it first);
 *   <li>otherwise (the demote failed, the member reports ACT, or it no longer answers) its VM is
 *       stopped through the driver — gracefully, so a database hands over its last writes, else
 *       forced — and confirmed stopped, and only then is the new one {@linkplain RoleController#promote promoted}.
 * </ol>
 * So there is no moment where both take writes. Otherwise (the rollback's switchover, or a
 * controller that cannot demote) the old active must end reporting SBY, through one
 * {@link RoleController#switchover}.
 *
 * <p>Run again on resume: a stopped old active and an ACT new one is a finished switchover; a
 * stopped old active and a SBY new one is promoted; an old active that reports SBY is switched
 * again (harmless), so an action composed after it (repointing a service address) runs too.
 *
 * <p>A switching call that fails (no answer in time, a lost connection) may still have switched the
 * pair: the application can finish a takeover after the controller gave up on its answer. So the
 * members are asked until they report the switch or the settle time ({@code switchover-settle-ms},
 * default {@link UpgradeRun#DEFAULT_SWITCHOVER_SETTLE}) passes. If they report it, the inventory
 * records the new active and the call is made once more (harmless now) so that a composed action
 * runs; if not, the step fails saying what each member reports.
 */
final class Switchover implements UpgradeStep {
    private final StepInfo info;
    private final String newActive;
    private final boolean stopFollows;

    /** A switchover after which the old active must report SBY. */
    Switchover(StepInfo info, String newActive) {
        this(info, newActive, false);
    }

    /** With {@code stopFollows}, the old active may end stopped instead of SBY: the next step stops it anyway. */
    Switchover(StepInfo info, String newActive, boolean stopFollows) {
        this.info = info;
        this.newActive = newActive;
        this.stopFollows = stopFollows;
    }

    @Override
    public StepInfo info() {
        return info;
    }

    @Override
    public Map<String, String> run(UpgradeRun run) {
        Map<String, String> outputs = new LinkedHashMap<>();
        String oldActive = run.peerOf(newActive);
        VmState newState = run.state(newActive);
        if (newState != VmState.RUNNING) {
            throw new StepFailure("Refusing to switch pair " + run.job().pair() + " over to " + newActive + ": it is " + newState);
        }
        RoleController controller = run.roleController();
        if (stopFollows && controller.canDemote()) {
            handOver(run, controller, oldActive, outputs);
        } else {
            switchOver(run, controller, oldActive, outputs);
        }
        // written whether or not it was so already (a resumed switchover): no read of the pair first
        run.inventory().setActiveSystem(run.job().pair(), run.job().member(newActive).system());
        outputs.put("active", newActive);
        return outputs;
    }

    /** One {@link RoleController#switchover}; the old active must end reporting SBY. */
    private void switchOver(UpgradeRun run, RoleController controller, String oldActive, Map<String, String> outputs) {
        Map<String, Role> roles = controller.roles(run.pairContext());
        if (roles.get(newActive) == Role.ACT && roles.get(oldActive) == Role.SBY) {
            // switched already (the orchestrator died after the switchover): switch again anyway, which the
            // SPI makes harmless, so that an action composed after it (repointing a service address) runs too
            outputs.put("already-switched", "true");
        }
        long started = System.nanoTime();
        switching(run, controller, oldActive, Landing.OLD_REPORTS_SBY, Optional.of(new SwitchingCall("switchover",
                () -> controller.switchover(run.pairContext(), newActive))), outputs);
        outputs.put("switchover-ms", Long.toString((System.nanoTime() - started) / 1_000_000));
        outputs.put("old-active", "SBY");
    }

    /** The old active stops taking writes (SBY, or stopped), then the new one takes the role. */
    private void handOver(UpgradeRun run, RoleController controller, String oldActive, Map<String, String> outputs) {
        PairContext context = run.pairContext();
        Role newRole = controller.role(context, newActive);
        long started = System.nanoTime();
        Landing landing;
        Optional<SwitchingCall> call = Optional.empty();
        if (stopped(run.state(oldActive))) {
            // Resumed after this step stopped the old active: only the promotion may be left to do.
            if (newRole != Role.ACT) {
                call = Optional.of(promotionAfterStop(run, controller, context, oldActive, outputs));
            } else {
                outputs.put("already-switched", "true");
            }
            landing = Landing.OLD_STOPPED;
        } else {
            Optional<Role> oldRole = ReportedRole.of(controller, context, oldActive);
            if (newRole == Role.ACT && oldRole.orElse(Role.SBY) == Role.ACT) {
                throw new StepFailure("Refusing to switch pair " + run.job().pair() + " over: both " + newActive + " and " + oldActive
                        + " report ACT. Decide which one serves, demote the other through the application, then resume or roll back job #"
                        + run.job().id() + ".");
            }
            if (newRole == Role.ACT && oldRole.equals(Optional.of(Role.SBY))) {
                outputs.put("already-switched", "true"); // demoting and taking over again is harmless, and re-runs a composed action
            }
            Optional<String> demoteProblem = demote(controller, context, oldActive);
            if (demoteProblem.isEmpty()) {
                call = Optional.of(new SwitchingCall("takeover", () -> controller.takeOver(context, newActive)));
                landing = Landing.OLD_NOT_ACT;
            } else {
                outputs.put("demote", demoteProblem.get());
                call = Optional.of(promotionAfterStop(run, controller, context, oldActive, outputs));
                landing = Landing.OLD_STOPPED;
            }
        }
        switching(run, controller, oldActive, landing, call, outputs);
        outputs.put("old-active", landing == Landing.OLD_STOPPED ? "stopped" : "SBY");
        outputs.put("switchover-ms", Long.toString((System.nanoTime() - started) / 1_000_000));
    }

    /** Empty when the old active now reports SBY; else why it does not (the engine stops it then). */
    private static Optional<String> demote(RoleController controller, PairContext context, String oldActive) {
        Optional<Role> stated;
        try {
            stated = controller.demote(context, oldActive);
        } catch (RuntimeException e) {
            return Optional.of("the demote failed: " + e.getMessage());
        }
        try {
            Role role = stated.isPresent() ? stated.get() : controller.role(context, oldActive);
            return role == Role.SBY ? Optional.empty() : Optional.of("after the demote it reports " + role);
        } catch (RuntimeException e) {
            return Optional.of("after the demote it does not report a role: " + e.getMessage());
        }
    }

    /** The old active's VM is stopped and confirmed so; only then may the new one be promoted (the call returned). */
    private SwitchingCall promotionAfterStop(UpgradeRun run, RoleController controller, PairContext context, String oldActive,
            Map<String, String> outputs) {
        if (!controller.canPromote()) {
            throw new StepFailure("Cannot switch pair " + run.job().pair() + " over to " + newActive + ": " + oldActive
                    + " does not report SBY (" + outputs.getOrDefault("demote", "stopped") + ") and the " + controller.describe()
                    + " role controller cannot promote a member whose peer is stopped. " + newActive + " was not promoted;"
                    + " check " + oldActive + ", then resume or roll back job #" + run.job().id() + ".");
        }
        stopOldActive(run, oldActive, outputs);
        return new SwitchingCall("promotion", () -> controller.promote(context, newActive));
    }

    /** A request that makes the new active take the role, named for messages. */
    private record SwitchingCall(String name, Runnable request) {}

    /** What the old active must report for the switch to have happened, beside the new one reporting ACT. */
    private enum Landing {
        /** A plain switchover: the old active becomes a working standby. */
        OLD_REPORTS_SBY,
        /** A takeover after the old active was demoted: it must not report ACT (S26 stops it next). */
        OLD_NOT_ACT,
        /** A promotion after the old active's VM was stopped: nothing is asked of it. */
        OLD_STOPPED
    }

    /**
     * Makes the switching call, if there is one left to make, then waits for the members to report the
     * switch: asked every poll until the settle time passes, as a call that failed (no answer in time)
     * may still take effect, and a read that fails says nothing either way. When a failed call's switch
     * is reported, the inventory records it and the call is repeated once, so that an action composed
     * after it runs; a switch not reported fails the step with what each member reports.
     */
    private void switching(UpgradeRun run, RoleController controller, String oldActive, Landing landing, Optional<SwitchingCall> call,
            Map<String, String> outputs) {
        Optional<RuntimeException> failure = Optional.empty();
        if (call.isPresent()) {
            try {
                call.get().request().run();
            } catch (RuntimeException e) {
                failure = Optional.of(e);
            }
        }
        PairContext context = run.pairContext();
        Duration settle = run.switchoverSettle();
        if (failure.isPresent()) {
            // without this the operator watches up to the settle time of silence
            run.listener().waiting(run.job().id(), info, "the members to report the switch (up to " + settle.toMillis() + " ms): the "
                    + call.get().name() + " of " + newActive + " failed (" + failure.get().getMessage() + ")");
        }
        long started = System.nanoTime();
        long deadline = started + settle.toNanos();
        String seen;
        while (true) {
            Optional<Role> newRole = ReportedRole.of(controller, context, newActive);
            Optional<Role> oldRole = landing == Landing.OLD_STOPPED ? Optional.empty() : ReportedRole.of(controller, context, oldActive);
            boolean oldLanded = switch (landing) {
                case OLD_REPORTS_SBY -> oldRole.equals(Optional.of(Role.SBY));
                case OLD_NOT_ACT -> !oldRole.equals(Optional.of(Role.ACT));
                case OLD_STOPPED -> true;
            };
            seen = newActive + " reports " + newRole.map(Role::name).orElse("nothing (no answer)")
                    + (landing == Landing.OLD_STOPPED ? ", " + oldActive + " is stopped"
                            : ", " + oldActive + " reports " + oldRole.map(Role::name).orElse("nothing (no answer)"));
            if (newRole.equals(Optional.of(Role.ACT)) && oldLanded) {
                break;
            }
            if (System.nanoTime() > deadline) {
                String what = failure.isPresent()
                        ? "The " + controller.describe() + " role controller's " + call.get().name() + " of " + newActive + " failed ("
                                + failure.get().getMessage() + ") and " + settle.toMillis() + " ms later"
                        : (call.isPresent() ? "After the " + controller.describe() + " role controller's " + call.get().name() + " of " + newActive
                                : "Resuming the switchover to " + newActive) + ", for " + settle.toMillis() + " ms";
                throw new StepFailure(what + " the members do not report the switch: " + seen + ". " + unswitched(newRole, oldRole, oldActive),
                        failure.orElse(null));
            }
            run.pause();
        }
        if (failure.isEmpty()) {
            return;
        }
        // The application finished the switch after the call gave up: that is the pair's state now.
        run.inventory().setActiveSystem(run.job().pair(), run.job().member(newActive).system());
        outputs.put("switch-call-failed", failure.get().getMessage());
        outputs.put("switch-reported-after-ms", Long.toString((System.nanoTime() - started) / 1_000_000));
        try {
            call.get().request().run(); // harmless now; runs an action composed after the call (repointing a service address)
        } catch (RuntimeException again) {
            throw new StepFailure("The " + controller.describe() + " role controller's " + call.get().name() + " of " + newActive + " failed ("
                    + failure.get().getMessage() + "), yet the members then reported the switch (" + seen + ") and the inventory records "
                    + newActive + " as the active; repeating the " + call.get().name() + " so that what follows it runs failed too: "
                    + again.getMessage() + ". Check that clients reach " + newActive + ".", again);
        }
    }

    /** What an unfinished switch means for the service, and so what the operator must look at first. */
    private static String unswitched(Optional<Role> newRole, Optional<Role> oldRole, String oldActive) {
        boolean newAct = newRole.equals(Optional.of(Role.ACT));
        boolean oldAct = oldRole.equals(Optional.of(Role.ACT));
        if (newAct && oldAct) {
            return "Both report ACT: stop " + oldActive + " taking writes now.";
        }
        if (oldAct) {
            return "Nothing switched: " + oldActive + " still serves.";
        }
        if (newAct) {
            return "The switch is not confirmed: " + oldActive + " must report SBY.";
        }
        return "No member reports ACT: the pair may take no writes until one does.";
    }

    private void stopOldActive(UpgradeRun run, String oldActive, Map<String, String> outputs) {
        Optional<VmInfo> vm = run.currentVm(oldActive);
        if (vm.isEmpty() || stopped(vm.get().state())) {
            return;
        }
        RuntimeException failure = null;
        for (StopMode mode : new StopMode[] {StopMode.GRACEFUL, StopMode.FORCE}) {
            try {
                run.driver(oldActive).stop(vm.get().vm(), mode);
                VmState state = run.state(oldActive);
                if (stopped(state)) {
                    outputs.put("old-active-stop", mode.name());
                    return;
                }
                failure = new IllegalStateException("it is still " + state + " after a " + mode + " stop");
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        throw new StepFailure("Cannot switch pair " + run.job().pair() + " over: " + oldActive + " did not stop taking writes ("
                + outputs.getOrDefault("demote", "") + ") and stopping its VM failed: " + failure.getMessage() + ". " + newActive
                + " was not promoted; check " + oldActive + ", then resume or roll back job #" + run.job().id() + ".", failure);
    }

    private static boolean stopped(VmState state) {
        return state == VmState.STOPPED || state == VmState.CRASHED;
    }
}
