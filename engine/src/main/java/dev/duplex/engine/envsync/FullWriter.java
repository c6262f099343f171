package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.engine.envsync.SyncRefusedException.Check;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * Writes a whole environment info to a target store (seed S406): every item replaced, items the
 * info does not have removed, in ONE atomic {@link EnvironmentUpdate} from the store's current
 * revision to the info's; then re-reads and verifies every item's CRC32C.
 */
public final class FullWriter {
    /** Writes {@code info} over whatever {@code store} holds; refuses to go back to a lower revision. */
    public AppliedWrite write(EnvironmentStore store, EnvironmentSnapshot info) {
        requireNonNull(store, "store is null");
        requireNonNull(info, "info is null");
        EnvironmentSnapshot current = store.read();
        if (info.revision() < current.revision()) {
            throw new SyncRefusedException(Check.REVISION, "the store is at revision " + current.revision()
                    + ", newer than the info's revision " + info.revision() + "; refusing to write an older info");
        }
        var changes = new ArrayList<ItemChange>();
        var expected = new LinkedHashMap<String, TargetCheck.Expected>();
        long bytes = 0;
        for (EnvironmentItem item : info.items()) {
            changes.add(new ItemChange.Replace(item));
            byte[] content = item.content();
            expected.put(item.name(), new TargetCheck.Expected(content.length, Checksums.crc32c(content)));
            bytes += content.length;
        }
        for (EnvironmentItem item : current.items()) {
            if (info.item(item.name()).isEmpty()) {
                changes.add(new ItemChange.Remove(item.name()));
            }
        }
        store.write(new EnvironmentUpdate(current.revision(), info.revision(), changes));
        TargetCheck.verify(store, info.revision(), expected, "the whole info at revision " + info.revision());
        return new AppliedWrite(SyncPath.FULL, current.revision(), info.revision(), changes.size(), 0, bytes);
    }
}
