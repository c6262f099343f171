package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * The difference information (seed FIG. 5, 103) between two revisions of a VM's environment
 * info: a header and one {@link ItemDiff} per item of either revision. Encode it with
 * {@link DiffEncoder}, read it back with {@link DiffDecoder}, apply it with {@link DiffApplier}.
 *
 * @param header the header
 * @param items the items, names unique
 */
public record DiffInfo(DiffHeader header, List<ItemDiff> items) {
    public DiffInfo {
        requireNonNull(header, "header is null");
        items = List.copyOf(requireNonNull(items, "items is null"));
        var names = new HashSet<String>();
        for (ItemDiff item : items) {
            if (!names.add(item.name())) {
                throw new IllegalArgumentException("item '" + item.name() + "' appears twice in the diff");
            }
        }
    }

    /** The item of that name, if the diff has one. */
    public Optional<ItemDiff> item(String name) {
        return items.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /** The number of entries of all items. */
    public long entryCount() {
        return items.stream().mapToLong(i -> i.entries().size()).sum();
    }

    /** The total size of the target revision's items, in bytes. */
    public long targetBytes() {
        return items.stream().mapToLong(ItemDiff::lengthAfter).sum();
    }
}
