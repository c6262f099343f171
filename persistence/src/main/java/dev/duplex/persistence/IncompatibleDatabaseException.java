package dev.duplex.persistence;

/**
 * The database is reachable but Duplex must not touch it: its schema was migrated by a newer
 * Duplex, or it holds tables that are not Duplex's.
 */
public class IncompatibleDatabaseException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public IncompatibleDatabaseException(String message) {
        super(message, null);
    }
}
