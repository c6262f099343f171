package dev.duplex.cli.env;

import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.engine.envsync.TargetVerificationException;
import java.nio.file.Path;
import java.util.List;

/**
 * One file seen as an environment store holding a single item, for the offline tools. A file
 * has no revision of its own: the store reports the revision it was opened with (the diff's
 * base), so a diff is checked against the file's bytes (length and CRC32C).
 *
 * <p>The file stands in for a revision: a write patches exactly the bytes the last
 * {@link #read()} returned, and commits only if the file is still the one read then
 * ({@link TargetFile}); otherwise it refuses with {@link TargetChangedException} and writes
 * nothing. Writes replace the file atomically ({@link AtomicFile}).
 */
final class FileItemStore implements EnvironmentStore {
    private final Path file;
    private final String itemName;
    private long revision;
    private TargetFile checked;
    private boolean written;

    FileItemStore(Path file, String itemName, long revision) {
        this.file = file;
        this.itemName = itemName;
        this.revision = revision;
    }

    @Override
    public EnvironmentSnapshot read() {
        if (written) {
            // The read-back after a write: whatever fails now, the file was already replaced.
            try {
                checked = TargetFile.read(file, "--target");
            } catch (RuntimeException e) {
                throw new TargetVerificationException("the target was replaced by the verified result but reading it "
                        + "back failed: " + e.getMessage());
            }
        } else {
            checked = TargetFile.read(file, "--target");
        }
        return new EnvironmentSnapshot(revision, List.of(new EnvironmentItem(itemName, checked.content())));
    }

    @Override
    public void write(EnvironmentUpdate update) {
        if (update.expectedRevision() != revision) {
            throw new ConflictException("the store is at revision " + revision + ", the update expects "
                    + update.expectedRevision(), new ObjectId(ObjectKind.ENVIRONMENT_ITEM, file.toString()));
        }
        if (checked == null) {
            throw new IllegalStateException("a write of " + file + " must follow a read: it patches the bytes that were "
                    + "read and checked");
        }
        for (ItemChange change : update.changes()) {
            if (!change.item().equals(itemName)) {
                throw new IllegalArgumentException("the file holds item '" + itemName + "', not '" + change.item() + "'");
            }
            if (change instanceof ItemChange.Replace replace) {
                checked.replace(replace.content().content());
            } else if (change instanceof ItemChange.Patch patch) {
                checked.patch(patch.newLength(), patch.patches());
            } else {
                throw new IllegalArgumentException("the diff removes the item; a file cannot be removed by 'env apply'");
            }
        }
        checked = null;
        written = written || !update.changes().isEmpty();
        revision = update.newRevision();
    }
}
