package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.BytePatch;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.engine.envsync.SyncRefusedException.Check;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Applies a diff to a target store (seed S405): checks the diff against the store, then writes
 * it as ONE atomic {@link EnvironmentUpdate} from the base to the target revision, then re-reads
 * the store and verifies the target checksums.
 *
 * <p>Checks, in order, each refused with {@link SyncRefusedException} before anything is written:
 * signature, version, revision (the store's must be the diff's base; applying a diff twice fails
 * here), item set (the store holds exactly the diff's before items), base length and CRC32C of
 * every item, entry rules and bounds, and finally each item's result (base plus entries, computed
 * without building it) against the diff's own after length and CRC32C. Because the store's write is atomic and this class issues
 * exactly one, a refused or failed apply leaves the store as it was.
 */
public final class DiffApplier {
    /** Applies {@code diff} to {@code store}. */
    public AppliedWrite apply(EnvironmentStore store, DiffInfo diff) {
        requireNonNull(store, "store is null");
        requireNonNull(diff, "diff is null");
        DiffHeader header = diff.header();
        if (header.signature() != DiffFormat.SIGNATURE) {
            throw new SyncRefusedException(Check.SIGNATURE, "diff signature is " + Checksums.hex(header.signature())
                    + ", not " + Checksums.hex(DiffFormat.SIGNATURE) + "; not a Duplex diff");
        }
        if (header.version() != DiffFormat.VERSION) {
            throw new SyncRefusedException(Check.VERSION, "diff format version " + header.version()
                    + " is not supported; this build applies version " + DiffFormat.VERSION);
        }
        EnvironmentSnapshot current = store.read();
        String span = "revision " + header.baseRevision() + " to " + header.targetRevision();
        if (current.revision() != header.baseRevision()) {
            String hint = current.revision() == header.targetRevision()
                    ? "; the diff was already applied"
                    : "; extract a new diff from the store's current info, or write the whole info";
            throw new SyncRefusedException(Check.REVISION, "the store is at revision " + current.revision()
                    + " but the diff goes from " + span + hint);
        }
        checkItemSet(current, diff);
        var changes = new ArrayList<ItemChange>();
        var expected = new LinkedHashMap<String, TargetCheck.Expected>();
        var added = new ArrayList<ItemDiff>();
        long patches = 0;
        long bytes = 0;
        // Every item's result is checked against the diff's own after values before anything is
        // built or written: a diff whose entries disagree with its checksums is refused, not applied.
        for (ItemDiff item : diff.items()) {
            byte[] baseBytes = new byte[0];
            if (item.change() != ItemDiff.Change.ADDED) {
                baseBytes = current.item(item.name()).orElseThrow().content();
                checkBase(baseBytes, item);
            }
            if (item.change() == ItemDiff.Change.REMOVED) {
                changes.add(new ItemChange.Remove(item.name()));
                continue;
            }
            expected.put(item.name(), new TargetCheck.Expected(item.lengthAfter(), item.crcAfter()));
            List<BytePatch> itemPatches;
            try {
                itemPatches = EntryRuns.patches(item);
            } catch (EntryRuns.Violation v) {
                throw new SyncRefusedException(Check.ENTRY_BOUNDS, v.getMessage());
            }
            checkResult(baseBytes, itemPatches, item);
            if (item.change() == ItemDiff.Change.ADDED) {
                added.add(item);
            } else if (!item.unchanged()) {
                changes.add(new ItemChange.Patch(item.name(), item.lengthAfter(), itemPatches));
                patches += itemPatches.size();
                bytes += itemPatches.stream().mapToLong(BytePatch::length).sum();
            }
        }
        for (ItemDiff item : added) {
            byte[] content;
            try {
                content = EntryRuns.content(item);
            } catch (EntryRuns.Violation v) {
                throw new SyncRefusedException(Check.ENTRY_BOUNDS, v.getMessage());
            }
            changes.add(new ItemChange.Replace(new EnvironmentItem(item.name(), content)));
            bytes += content.length;
        }
        store.write(new EnvironmentUpdate(header.baseRevision(), header.targetRevision(), changes));
        TargetCheck.verify(store, header.targetRevision(), expected, "the diff from " + span);
        return new AppliedWrite(SyncPath.DIFF, header.baseRevision(), header.targetRevision(), changes.size(),
                patches, bytes);
    }

    private static void checkItemSet(EnvironmentSnapshot current, DiffInfo diff) {
        var before = new HashSet<String>();
        for (ItemDiff item : diff.items()) {
            boolean present = current.item(item.name()).isPresent();
            if (item.change() == ItemDiff.Change.ADDED && present) {
                throw new SyncRefusedException(Check.ITEM_SET, "item '" + item.name()
                        + "' is new in the diff but the store already has it");
            }
            if (item.change() != ItemDiff.Change.ADDED) {
                if (!present) {
                    throw new SyncRefusedException(Check.ITEM_SET, "the diff changes item '" + item.name()
                            + "' but the store has no such item");
                }
                before.add(item.name());
            }
        }
        for (EnvironmentItem item : current.items()) {
            if (!before.contains(item.name())) {
                throw new SyncRefusedException(Check.ITEM_SET, "the store has item '" + item.name()
                        + "' that the diff was not computed against");
            }
        }
    }

    private static void checkResult(byte[] base, List<BytePatch> patches, ItemDiff item) {
        int crc = ResultChecksum.of(base, item.lengthAfter(), patches);
        if (crc != item.crcAfter()) {
            throw new SyncRefusedException(Check.RESULT_CHECKSUM, "the entries of item '" + item.name()
                    + "' applied to its base give length " + item.lengthAfter() + " and CRC32C " + Checksums.hex(crc)
                    + ", which do not produce the diff's own after checksum " + Checksums.hex(item.crcAfter())
                    + "; the diff is inconsistent (made by a faulty or hostile writer): extract it again");
        }
    }

    private static void checkBase(byte[] content, ItemDiff item) {
        int crc = Checksums.crc32c(content);
        if (content.length != item.lengthBefore() || crc != item.crcBefore()) {
            throw new SyncRefusedException(Check.BASE_CHECKSUM, "item '" + item.name() + "' has length "
                    + content.length + " and CRC32C " + Checksums.hex(crc) + " but the diff expects "
                    + item.lengthBefore() + " and " + Checksums.hex(item.crcBefore())
                    + "; the store's info is not the diff's base");
        }
    }
}
