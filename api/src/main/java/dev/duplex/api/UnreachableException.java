package dev.duplex.api;

/** The platform could not be reached or did not answer in time; a retry may help. */
public class UnreachableException extends DriverException {
    private static final long serialVersionUID = 1L;

    public UnreachableException(String message, ObjectId object) {
        super(message, object, null);
    }

    public UnreachableException(String message, ObjectId object, Throwable cause) {
        super(message, object, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
