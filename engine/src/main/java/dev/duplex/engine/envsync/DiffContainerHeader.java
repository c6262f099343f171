package dev.duplex.engine.envsync;

/**
 * The header of a compressed diff container ({@code docs/diff-format.md}, "Compressed container"),
 * read and checked without the base: enough to show what the container holds and to refuse it
 * early. {@link DiffDecoder#containerHeader} reads it.
 *
 * @param version the container version, {@link DiffContainerFormat#VERSION}
 * @param totalLength the container's length in bytes, checksum included
 * @param baseRevision the revision the diff inside applies to
 * @param targetRevision the revision it produces
 * @param baseLength the length of the base (dictionary) bytes it was compressed against
 * @param baseCrc the CRC32C of those bytes
 * @param diffLength the length of the FIG. 5 diff inside, once decompressed
 * @param entryCount the number of FIG. 5 entries of that diff
 * @param checksum the container's trailing CRC32C
 */
public record DiffContainerHeader(int version, int totalLength, long baseRevision, long targetRevision,
        int baseLength, int baseCrc, int diffLength, int entryCount, int checksum) {
    /** Bytes of the zstd frame between the header and the checksum. */
    public int frameLength() {
        return totalLength - DiffContainerFormat.HEADER_BYTES - DiffContainerFormat.CHECKSUM_BYTES;
    }

    /** FIG. 5 bytes per container byte: how much smaller the container is than the plain diff. */
    public double ratio() {
        return (double) diffLength / totalLength;
    }
}
