package dev.duplex.engine.envsync;

/**
 * A compressed diff was given another base than the one it was made against: its length or
 * CRC32C differs from those the container records. Nothing was decompressed. Applying it there
 * would be refused as well (the base checksum check); the diff itself may be fine.
 */
public class DiffBaseMismatchException extends DiffFormatException {
    private static final long serialVersionUID = 1L;

    public DiffBaseMismatchException(String message) {
        super(message);
    }
}
