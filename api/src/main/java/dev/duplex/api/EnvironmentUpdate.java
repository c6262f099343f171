package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;

/**
 * An all-or-nothing change of a VM's operating-environment information from one revision to another.
 *
 * @param expectedRevision the store's revision the change was computed against; the store
 *     refuses the update with {@link ConflictException} if its revision differs
 * @param newRevision the revision after the update, not lower than {@code expectedRevision}
 * @param changes the item changes, at most one per item
 */
public record EnvironmentUpdate(long expectedRevision, long newRevision, List<ItemChange> changes) {
    public EnvironmentUpdate {
        changes = List.copyOf(requireNonNull(changes, "changes is null"));
        if (expectedRevision < 0 || newRevision < expectedRevision) {
            throw new IllegalArgumentException(
                    "revision cannot go from " + expectedRevision + " to " + newRevision);
        }
        var items = new HashSet<String>();
        for (ItemChange change : changes) {
            if (!items.add(change.item())) {
                throw new IllegalArgumentException("environment item '" + change.item() + "' is changed twice");
            }
        }
    }
}
