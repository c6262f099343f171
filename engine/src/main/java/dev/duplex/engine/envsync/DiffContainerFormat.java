package dev.duplex.engine.envsync;

/**
 * Constants of the compressed diff container, version 1: a FIG. 5 diff whose entries are laid out
 * as columns ({@link EntryColumns}) and compressed with zstd, the base info's bytes as the
 * dictionary. {@code docs/diff-format.md} ("Compressed container") is the specification; every
 * number here appears there.
 */
public final class DiffContainerFormat {
    /** The signature, the ASCII bytes {@code "DXDZ"} read as a little-endian int. */
    public static final int SIGNATURE = 0x5A445844;
    /** The container version this build writes and reads. */
    public static final int VERSION = 1;
    /** Bytes of the fixed header, up to the zstd frame. */
    public static final int HEADER_BYTES = 44;
    /** Bytes of the trailing CRC32C of the whole container. */
    public static final int CHECKSUM_BYTES = 4;
    /** The smallest container: a header, an (invalid) empty frame, the checksum. */
    public static final int MIN_BYTES = HEADER_BYTES + CHECKSUM_BYTES;
    /**
     * The largest FIG. 5 diff a container may declare, 256 MiB: the decompressed bytes are
     * capped here whatever the header says, so a small file cannot make a reader allocate more.
     * The writer never puts a larger diff in a container; such a diff stays plain FIG. 5.
     */
    public static final int MAX_DIFF_BYTES = 1 << 28;
    /** The largest base (dictionary) a container may name, 1 GiB. */
    public static final int MAX_BASE_BYTES = 1 << 30;

    private DiffContainerFormat() {
    }
}
