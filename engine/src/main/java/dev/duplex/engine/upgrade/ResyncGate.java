package dev.duplex.engine.upgrade;

import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleControllerException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * S24/S29: asks the standby to catch up with what changed on the active while it was down, and
 * waits until it reports in sync. A timeout is a {@link StepFailure.ResyncTimedOut}: at S24 it
 * aborts the upgrade before the switchover, with the active untouched. With
 * {@code expectedActive}, the step also checks that the pair is back to ACT/SBY with that member
 * active (S29).
 */
final class ResyncGate implements UpgradeStep {
    private final StepInfo info;
    private final String standby;
    private final Optional<String> expectedActive;

    ResyncGate(StepInfo info, String standby, Optional<String> expectedActive) {
        this.info = info;
        this.standby = standby;
        this.expectedActive = expectedActive;
    }

    @Override
    public StepInfo info() {
        return info;
    }

    @Override
    public Map<String, String> run(UpgradeRun run) {
        Map<String, String> outputs = new LinkedHashMap<>();
        run.roleController().resync(run.pairContext(), standby);
        Duration timeout = run.resyncTimeout();
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        int polls = 0;
        while (true) {
            polls++;
            ResyncStatus status;
            try {
                status = run.roleController().resyncStatus(run.pairContext(), standby);
            } catch (RoleControllerException e) {
                // a standby that just started may not answer yet: keep asking until the deadline
                status = ResyncStatus.unknown(e.getMessage());
            }
            if (status.isInSync()) {
                break;
            }
            if (System.nanoTime() >= deadline) {
                throw new StepFailure.ResyncTimedOut("Standby " + standby + " of pair " + run.job().pair() + " did not report in sync within "
                        + timeout.toMillis() + " ms (last: " + status.detail() + "). Raise the pair's resync gate timeout-ms, or roll back job #"
                        + run.job().rollbackOf().orElse(run.job().id()) + ".");
            }
            run.listener().waiting(run.job().id(), info, "standby " + standby + ": " + status.detail());
            run.pause();
        }
        outputs.put("polls", Integer.toString(polls));
        outputs.put("wait-ms", Long.toString((System.nanoTime() - started) / 1_000_000));
        if (expectedActive.isPresent()) {
            Map<String, Role> roles = run.roleController().roles(run.pairContext());
            if (roles.get(expectedActive.get()) != Role.ACT || roles.get(standby) != Role.SBY) {
                throw new RoleControllerException(run.roleController().describe(), standby, "after the upgrade the pair should be "
                        + expectedActive.get() + "=ACT, " + standby + "=SBY, but the members report " + roles);
            }
        }
        return outputs;
    }
}
