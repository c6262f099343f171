package dev.duplex.cli.env;

import dev.duplex.api.BytePatch;
import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import java.util.Arrays;
import java.util.List;

/**
 * One file seen as an environment store holding a single item, for the offline tools. A file
 * has no revision of its own: the store reports the revision it was opened with (the diff's
 * base), so a diff is checked against the file's bytes (length and CRC32C). Writes replace the
 * file atomically ({@link AtomicFile}).
 */
final class FileItemStore implements EnvironmentStore {
    private final java.nio.file.Path file;
    private final String itemName;
    private long revision;

    FileItemStore(java.nio.file.Path file, String itemName, long revision) {
        this.file = file;
        this.itemName = itemName;
        this.revision = revision;
    }

    @Override
    public EnvironmentSnapshot read() {
        return new EnvironmentSnapshot(revision, List.of(new EnvironmentItem(itemName, OfflineFiles.read(file, "target"))));
    }

    @Override
    public void write(EnvironmentUpdate update) {
        if (update.expectedRevision() != revision) {
            throw new ConflictException("the store is at revision " + revision + ", the update expects "
                    + update.expectedRevision(), new ObjectId(ObjectKind.ENVIRONMENT_ITEM, file.toString()));
        }
        byte[] content = OfflineFiles.read(file, "target");
        for (ItemChange change : update.changes()) {
            if (!change.item().equals(itemName)) {
                throw new IllegalArgumentException("the file holds item '" + itemName + "', not '" + change.item() + "'");
            }
            if (change instanceof ItemChange.Replace replace) {
                content = replace.content().content();
            } else if (change instanceof ItemChange.Patch patch) {
                content = Arrays.copyOf(content, Math.toIntExact(patch.newLength()));
                for (BytePatch bytes : patch.patches()) {
                    System.arraycopy(bytes.bytes(), 0, content, Math.toIntExact(bytes.offset()), bytes.length());
                }
            } else {
                throw new IllegalArgumentException("the diff removes the item; a file cannot be removed by 'env apply'");
            }
        }
        if (!update.changes().isEmpty()) {
            AtomicFile.write(file, content);
        }
        revision = update.newRevision();
    }
}
