package dev.duplex.api;

/** The request was malformed or names a setting the driver does not know; fix the input, do not retry. */
public class InvalidSpecException extends DriverException {
    private static final long serialVersionUID = 1L;

    public InvalidSpecException(String message, ObjectId object) {
        super(message, object, null);
    }

    public InvalidSpecException(String message, ObjectId object, Throwable cause) {
        super(message, object, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
