package dev.duplex.engine.envstore;

import static java.util.Objects.requireNonNull;

/**
 * An encoded diff (the seed's difference information 103) between two revisions of one target.
 *
 * @param target the VM whose info it turns from base into target revision
 * @param baseRevision the revision it applies to
 * @param targetRevision the revision it produces
 * @param encoded the diff in the documented binary format (docs/diff-format.md)
 * @param entryCount its number of entries
 */
public record StoredDiff(String target, long baseRevision, long targetRevision, byte[] encoded, int entryCount) {
    public StoredDiff {
        requireNonNull(target, "target is null");
        requireNonNull(encoded, "encoded is null");
        encoded = encoded.clone();
    }

    @Override
    public byte[] encoded() {
        return encoded.clone();
    }

    public int size() {
        return encoded.length;
    }
}
