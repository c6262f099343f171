package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The difference of one named item between the base and the target revision: its lengths and
 * CRC32C checksums before and after, and the entries that turn the before bytes into the after
 * bytes. Every item of either revision has one, unchanged items with no entries, so the base
 * checksums cover the whole info.
 *
 * <p>Entries describe the after bytes over the before bytes truncated or zero-extended to
 * {@code lengthAfter}; an {@link Change#ADDED} item is described over an empty item (all zeros).
 *
 * @param name the item's name
 * @param change whether the item is kept (possibly changed), added or removed
 * @param lengthBefore the length at the base revision (0 when added)
 * @param lengthAfter the length at the target revision (0 when removed)
 * @param crcBefore CRC32C of the base bytes (0 when added, the CRC32C of no bytes)
 * @param crcAfter CRC32C of the target bytes (0 when removed)
 * @param entries the entries, in ascending offset order
 */
public record ItemDiff(String name, Change change, int lengthBefore, int lengthAfter, int crcBefore, int crcAfter,
        List<DiffEntry> entries) {

    /** How an item differs between the base and the target. */
    public enum Change {
        /** Present in both (the entries may be empty when the item is unchanged). */
        KEPT(0),
        /** Absent in the base, present in the target. */
        ADDED(1),
        /** Present in the base, absent in the target. */
        REMOVED(2);

        private final int code;

        Change(int code) {
            this.code = code;
        }

        /** The byte written in the item table. */
        public int code() {
            return code;
        }
    }

    public ItemDiff {
        requireNonNull(name, "name is null");
        requireNonNull(change, "change is null");
        entries = List.copyOf(requireNonNull(entries, "entries is null"));
        if (lengthBefore < 0 || lengthAfter < 0) {
            throw new IllegalArgumentException("lengths of item '" + name + "' must be 0 or more");
        }
    }

    /** Whether applying this item changes nothing. */
    public boolean unchanged() {
        return change == Change.KEPT && entries.isEmpty() && lengthBefore == lengthAfter;
    }
}
