package dev.duplex.engine.envsync;

/**
 * The header of a diff (seed FIG. 5, header area 1030): its signature, format version and the
 * revisions it goes from and to.
 *
 * @param signature the signature; {@link DiffFormat#SIGNATURE} for a diff this build wrote
 * @param version the format version; {@link DiffFormat#VERSION} for this build
 * @param baseRevision the revision the diff applies to (the standby's, 111)
 * @param targetRevision the revision it produces (the active's, 101)
 */
public record DiffHeader(int signature, int version, long baseRevision, long targetRevision) {
    /** A header of this build's signature and version. */
    public static DiffHeader of(long baseRevision, long targetRevision) {
        return new DiffHeader(DiffFormat.SIGNATURE, DiffFormat.VERSION, baseRevision, targetRevision);
    }
}
