package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A change to one environment item, part of an {@link EnvironmentUpdate}. */
public sealed interface ItemChange permits ItemChange.Replace, ItemChange.Patch, ItemChange.Remove {
    /** The item changed. */
    String item();

    /** Writes the item whole (creating it if absent): a full rewrite. */
    record Replace(EnvironmentItem content) implements ItemChange {
        public Replace {
            requireNonNull(content, "content is null");
        }

        @Override
        public String item() {
            return content.name();
        }
    }

    /**
     * Writes only some byte ranges of an existing item (a diff's apply), then sets its
     * length (truncating or zero-extending).
     *
     * @param item the item's name; it must exist
     * @param newLength the item's length after the patch
     * @param patches non-overlapping ranges in ascending offset order, each ending at or before {@code newLength}
     */
    record Patch(String item, long newLength, List<BytePatch> patches) implements ItemChange {
        public Patch {
            requireNonNull(item, "item is null");
            patches = List.copyOf(requireNonNull(patches, "patches is null"));
            if (newLength < 0) {
                throw new IllegalArgumentException("new length of '" + item + "' is negative");
            }
            long end = 0;
            for (BytePatch p : patches) {
                if (p.offset() < end) {
                    throw new IllegalArgumentException("patches of '" + item + "' overlap or are out of order at offset " + p.offset());
                }
                end = p.end();
            }
            if (end > newLength) {
                throw new IllegalArgumentException("patch of '" + item + "' ends at " + end + ", past its new length " + newLength);
            }
        }
    }

    /** Removes the item. */
    record Remove(String item) implements ItemChange {
        public Remove {
            requireNonNull(item, "item is null");
        }
    }
}
