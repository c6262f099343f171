package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * A VM's operating-environment information at one revision: the revision number and its
 * items in a stable order. An empty store has revision 0 and no items.
 *
 * @param revision the revision, 0 or more
 * @param items the items, names unique
 */
public record EnvironmentSnapshot(long revision, List<EnvironmentItem> items) {
    public EnvironmentSnapshot {
        items = List.copyOf(requireNonNull(items, "items is null"));
        if (revision < 0) {
            throw new IllegalArgumentException("revision is negative: " + revision);
        }
        var names = new HashSet<String>();
        for (EnvironmentItem item : items) {
            if (!names.add(item.name())) {
                throw new IllegalArgumentException("environment item '" + item.name() + "' appears twice");
            }
        }
    }

    /** The item of that name, if present. */
    public Optional<EnvironmentItem> item(String name) {
        return items.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /** Total size of all items in bytes. */
    public long totalBytes() {
        return items.stream().mapToLong(EnvironmentItem::size).sum();
    }
}
