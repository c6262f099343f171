package dev.duplex.persistence;

/** The database server cannot be reached or refused to let Duplex in (wrong user or password). */
public class DatabaseUnavailableException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
