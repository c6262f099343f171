package dev.duplex.api;

/** The object is in a state that forbids the operation (a volume already attached elsewhere, a name already taken, a VM that is running). */
public class ConflictException extends DriverException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message, ObjectId object) {
        super(message, object, null);
    }

    public ConflictException(String message, ObjectId object, Throwable cause) {
        super(message, object, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
