package dev.duplex.engine.envsync;

/**
 * The kind of a {@link DiffEntry} (seed FIG. 5, flag 1032). The code is the 2-bit value stored
 * in the entry's header word (see {@code docs/diff-format.md}).
 */
public enum EntryFlag {
    /** The entry holds no data and is skipped; an all-zero entry is INVALID. */
    INVALID(0),
    /** A whole changed run of 1 to 8 bytes, at an absolute offset. */
    DATA(1),
    /** The first entry of a run longer than 8 bytes: absolute offset, the run's total size, its first 8 bytes. */
    AREA(2),
    /** A following entry of the run its AREA opened: offset relative to the AREA, 1 to 8 bytes. */
    CONT(3);

    /** The most data bytes one entry carries. */
    public static final int MAX_DATA = 8;

    private final int code;

    EntryFlag(int code) {
        this.code = code;
    }

    /** The 2-bit code written in the entry. */
    public int code() {
        return code;
    }

    /** The flag of a 2-bit code (every code 0..3 is defined). */
    public static EntryFlag ofCode(int code) {
        return switch (code) {
            case 0 -> INVALID;
            case 1 -> DATA;
            case 2 -> AREA;
            case 3 -> CONT;
            default -> throw new IllegalArgumentException("entry flag code out of range: " + code);
        };
    }
}
