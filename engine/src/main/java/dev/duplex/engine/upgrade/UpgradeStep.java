package dev.duplex.engine.upgrade;

import java.util.Map;

/**
 * One step of an upgrade or rollback. A step may run again after the orchestrator died while it
 * ran (its journal says STARTED, not DONE), so each step checks what is already done on the
 * platform and in the inventory before it acts: a stopped VM is not stopped again, a VM already
 * created under the job's name is found instead of created twice.
 */
interface UpgradeStep {
    /** How the step is shown and journaled. */
    StepInfo info();

    /**
     * Runs the step.
     *
     * @return what it created or measured ({@code vm-ref}, {@code bytes-copied}, ...), journaled with DONE
     * @throws StepFailure when it must not go on; any other exception is a failure of the platform or the controller
     */
    Map<String, String> run(UpgradeRun run);
}
