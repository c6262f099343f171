package dev.duplex.engine.envsync;

/**
 * Constants of the diff file format, version 1. {@code docs/diff-format.md} is the
 * specification; every number here appears there.
 */
public final class DiffFormat {
    /** The signature, the ASCII bytes {@code "DXDF"} read as a little-endian int. */
    public static final int SIGNATURE = 0x46445844;
    /** The format version this build writes and reads. */
    public static final int VERSION = 1;
    /** Bytes of the fixed header: signature, version, reserved, total length, revisions, item count. */
    public static final int HEADER_BYTES = 32;
    /** Bytes of an item-table row without its name. */
    public static final int ITEM_ROW_FIXED_BYTES = 2 + 1 + 4 * 5;
    /** Bytes of one entry: an 8-byte header word and an 8-byte data slot. */
    public static final int ENTRY_BYTES = 16;
    /** Bytes of the trailing CRC32C of the whole diff. */
    public static final int CHECKSUM_BYTES = 4;
    /** The smallest valid diff: a header with no items, and the checksum. */
    public static final int MIN_BYTES = HEADER_BYTES + CHECKSUM_BYTES;
    /** The largest offset or size an entry can hold (31 bits). */
    public static final int MAX_FIELD = Integer.MAX_VALUE;
    /** The longest item name in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 0xFFFF;

    private DiffFormat() {
    }
}
