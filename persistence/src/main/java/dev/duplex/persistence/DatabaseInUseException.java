package dev.duplex.persistence;

/** {@code duplex db stop} refused: Duplex processes still use the embedded PostgreSQL. */
public final class DatabaseInUseException extends DatabaseException {
    DatabaseInUseException(String message) {
        super(message, null);
    }
}
