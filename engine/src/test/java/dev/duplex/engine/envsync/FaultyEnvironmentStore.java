package dev.duplex.engine.envsync;

import dev.duplex.engine.testing.InMemoryEnvironmentStore;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.PlatformException;

/**
 * A store that injects faults: it fails a chosen write midway (the update is computed but never
 * committed, as an atomic store guarantees), or commits it with one byte damaged (so
 * verification has something to catch). Counts every write.
 */
class FaultyEnvironmentStore implements EnvironmentStore {
    enum Fault { FAIL_MIDWAY, CORRUPT_AFTER_WRITE }

    private final InMemoryEnvironmentStore delegate;
    private final Fault fault;
    private final int failingWrite;
    int writes;

    FaultyEnvironmentStore(EnvironmentSnapshot initial, Fault fault, int failingWrite) {
        this.delegate = new InMemoryEnvironmentStore(initial);
        this.fault = fault;
        this.failingWrite = failingWrite;
    }

    @Override
    public EnvironmentSnapshot read() {
        return delegate.read();
    }

    @Override
    public void write(EnvironmentUpdate update) {
        writes++;
        if (writes != failingWrite) {
            delegate.write(update);
            return;
        }
        EnvironmentSnapshot staged = InMemoryEnvironmentStore.applied(delegate.read(), update);
        if (fault == Fault.FAIL_MIDWAY) {
            throw new PlatformException("injected fault after staging revision " + staged.revision(),
                    new ObjectId(ObjectKind.ENVIRONMENT_ITEM, "store"));
        }
        var items = new java.util.ArrayList<dev.duplex.api.EnvironmentItem>();
        for (var item : staged.items()) {
            byte[] content = item.content();
            if (items.isEmpty() && content.length > 0) {
                content[content.length / 2] ^= 0x5A;
            }
            items.add(new dev.duplex.api.EnvironmentItem(item.name(), content));
        }
        delegate.write(new EnvironmentUpdate(delegate.read().revision(), staged.revision(),
                items.stream().<dev.duplex.api.ItemChange>map(dev.duplex.api.ItemChange.Replace::new).toList()));
    }
}
