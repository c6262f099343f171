package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

/**
 * What one atomic write to a target store carried.
 *
 * @param path whether it applied a diff or wrote the whole info
 * @param fromRevision the store's revision before
 * @param toRevision the store's revision after
 * @param itemsChanged the number of item changes in the update
 * @param patches the number of byte ranges written by patches (0 for a full write)
 * @param bytesWritten the bytes the update carried (patch bytes plus replaced content)
 */
public record AppliedWrite(SyncPath path, long fromRevision, long toRevision, int itemsChanged, long patches,
        long bytesWritten) {
    public AppliedWrite {
        requireNonNull(path, "path is null");
    }
}
