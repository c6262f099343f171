package dev.duplex.engine.upgrade;

import java.time.Duration;
import java.util.Map;

/**
 * Live progress of an upgrade, for a frontend. Called on the upgrading thread; keep it quick.
 * Every method does nothing by default.
 */
public interface UpgradeListener {
    UpgradeListener NONE = new UpgradeListener() {};

    /** The step was journaled as started and now runs. */
    default void stepStarted(long jobId, StepInfo step) {}

    /** The step ended and was journaled as done. */
    default void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {}

    /** The step failed and was journaled as failed. */
    default void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {}

    /** The journal says the step is done already (a resumed job); it is not run again. */
    default void stepSkipped(long jobId, StepInfo step) {}

    /** A volume copy progressed; {@code totalBytes} is -1 when unknown. */
    default void copyProgress(long jobId, StepInfo step, long copiedBytes, long totalBytes) {}

    /**
     * Polled before every step and while a step waits: true asks the run to stop there (the
     * operator pressed Ctrl-C). The job is then handed back unfinished, to be resumed, its journal
     * saying where it stopped; nothing is rolled back.
     */
    default boolean stopRequested() {
        return false;
    }

    /** The step waits (for a health check, for the standby to catch up). */
    default void waiting(long jobId, StepInfo step, String what) {}
}
