package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

/**
 * A diff or full write was refused before anything was written: the target store is exactly
 * as it was. {@link #check()} says which check failed; the message says how.
 */
public class SyncRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The checks an apply runs before writing, in order. */
    public enum Check {
        /** The diff's signature is not {@link DiffFormat#SIGNATURE}. */
        SIGNATURE,
        /** The diff's format version is not {@link DiffFormat#VERSION}. */
        VERSION,
        /** The store's revision is not the diff's base revision (or a full write would go backwards). */
        REVISION,
        /** The store's items are not the ones the diff was computed against. */
        ITEM_SET,
        /** An item's length or CRC32C is not the diff's before value. */
        BASE_CHECKSUM,
        /** An entry breaks the FIG. 5 rules or lies outside its item. */
        ENTRY_BOUNDS,
        /** The entries applied to the base do not give the diff's own after length and CRC32C. */
        RESULT_CHECKSUM
    }

    private final Check check;

    public SyncRefusedException(Check check, String message) {
        super(requireNonNull(message, "message is null"));
        this.check = requireNonNull(check, "check is null");
    }

    /** The check that failed. */
    public Check check() {
        return check;
    }
}
