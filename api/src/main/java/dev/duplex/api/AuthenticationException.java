package dev.duplex.api;

/** The platform refused the credentials or the permissions; fix the credential file, do not retry. */
public class AuthenticationException extends DriverException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message, ObjectId object) {
        super(message, object, null);
    }

    public AuthenticationException(String message, ObjectId object, Throwable cause) {
        super(message, object, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
