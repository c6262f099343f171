package dev.duplex.api;

import static java.util.Objects.requireNonNull;

/**
 * The driver does not support an optional operation. Its message is always the
 * {@linkplain #standardMessage(String, String) standard one}, so callers and the contract kit
 * can rely on it; the engine checks {@link HypervisorDriver#capabilities()} up front instead of
 * catching this.
 */
public class UnsupportedOperationDriverException extends DriverException {
    private static final long serialVersionUID = 1L;

    private final String driverKind;
    private final String operation;

    public UnsupportedOperationDriverException(String driverKind, String operation) {
        super(standardMessage(driverKind, operation), null, null);
        this.driverKind = driverKind;
        this.operation = operation;
    }

    /** {@code "The <kind> driver does not support <operation>"}. */
    public static String standardMessage(String driverKind, String operation) {
        requireNonNull(driverKind, "driverKind is null");
        requireNonNull(operation, "operation is null");
        return "The " + driverKind + " driver does not support " + operation;
    }

    public String driverKind() {
        return driverKind;
    }

    public String operation() {
        return operation;
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
