package dev.duplex.engine.failover;

/**
 * The old active could not be confirmed off, and the caller did not accept the risk: nothing
 * was started. The message names the VM, the cause, the risk and what to do.
 */
public class FenceRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FenceRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
