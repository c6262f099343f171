package dev.duplex.engine.upgrade;

/**
 * A step found a condition it must not go past. Subclasses say which; the message names the
 * pair, the member and what to do.
 */
public class StepFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StepFailure(String message) {
        super(message);
    }

    public StepFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** Stopping the member would leave the pair with both members stopped. */
    public static final class LastRunningMember extends StepFailure {
        private static final long serialVersionUID = 1L;

        public LastRunningMember(String message) {
            super(message);
        }
    }

    /** The new (or restored) VM did not report healthy in time, or did not start. */
    public static final class HealthCheckFailed extends StepFailure {
        private static final long serialVersionUID = 1L;

        public HealthCheckFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The standby did not report in sync before the resync gate's timeout. */
    public static final class ResyncTimedOut extends StepFailure {
        private static final long serialVersionUID = 1L;

        public ResyncTimedOut(String message) {
            super(message);
        }
    }

    /** The operator asked the run to stop (Ctrl-C): not a failure of the step, which is resumed later. */
    public static final class StopRequested extends StepFailure {
        private static final long serialVersionUID = 1L;

        public StopRequested() {
            super("stopped as the operator asked");
        }
    }
}
