package dev.duplex.persistence;

/**
 * The database cannot be used: it cannot be reached, refused the credentials, or is not a
 * database this Duplex can work with. The message is one line that says what failed, where
 * (with the URL's secrets redacted) and what to do next; it never contains a password.
 */
public class DatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
