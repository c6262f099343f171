package dev.duplex.api;

/** The platform reported an error the driver could not classify more precisely. The message keeps the platform's code and text. */
public class PlatformException extends DriverException {
    private static final long serialVersionUID = 1L;

    public PlatformException(String message, ObjectId object) {
        super(message, object, null);
    }

    public PlatformException(String message, ObjectId object, Throwable cause) {
        super(message, object, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
