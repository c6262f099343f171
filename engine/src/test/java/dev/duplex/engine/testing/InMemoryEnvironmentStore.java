package dev.duplex.engine.testing;

import dev.duplex.api.BytePatch;
import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An environment store in memory, atomic by construction: an update is computed on a copy and
 * swapped in only when it succeeded whole. Counts writes.
 */
public class InMemoryEnvironmentStore implements EnvironmentStore {
    private EnvironmentSnapshot snapshot;
    public int writes;

    public InMemoryEnvironmentStore(EnvironmentSnapshot initial) {
        this.snapshot = initial;
    }

    @Override
    public synchronized EnvironmentSnapshot read() {
        return snapshot;
    }

    @Override
    public synchronized void write(EnvironmentUpdate update) {
        writes++;
        snapshot = applied(snapshot, update);
    }

    public static EnvironmentSnapshot applied(EnvironmentSnapshot current, EnvironmentUpdate update) {
        if (current.revision() != update.expectedRevision()) {
            throw new ConflictException("store is at revision " + current.revision() + ", update expects "
                    + update.expectedRevision(), new ObjectId(ObjectKind.ENVIRONMENT_ITEM, "revision"));
        }
        Map<String, byte[]> items = new LinkedHashMap<>();
        current.items().forEach(i -> items.put(i.name(), i.content()));
        for (ItemChange change : update.changes()) {
            if (change instanceof ItemChange.Replace r) {
                items.put(r.item(), r.content().content());
            } else if (change instanceof ItemChange.Remove r) {
                if (items.remove(r.item()) == null) {
                    throw missing(r.item());
                }
            } else if (change instanceof ItemChange.Patch p) {
                byte[] old = items.get(p.item());
                if (old == null) {
                    throw missing(p.item());
                }
                byte[] updated = Arrays.copyOf(old, Math.toIntExact(p.newLength()));
                for (BytePatch patch : p.patches()) {
                    System.arraycopy(patch.bytes(), 0, updated, Math.toIntExact(patch.offset()), patch.length());
                }
                items.put(p.item(), updated);
            }
        }
        List<EnvironmentItem> list = new ArrayList<>();
        items.forEach((name, content) -> list.add(new EnvironmentItem(name, content)));
        return new EnvironmentSnapshot(update.newRevision(), list);
    }

    private static ObjectNotFoundException missing(String item) {
        return new ObjectNotFoundException(new ObjectId(ObjectKind.ENVIRONMENT_ITEM, item));
    }
}
