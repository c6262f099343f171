package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The base info a compressed diff container is made against (seed 003: the standby's info 111,
 * which applying the diff needs anyway): its items' contents, ordered by name (UTF-8 bytes,
 * unsigned) and concatenated, are the zstd dictionary; their length and CRC32C are recorded in the
 * container so that a wrong base is refused before anything is decompressed. Names are not part
 * of the bytes, so a one-item base is exactly that item's content whatever it is called.
 */
public final class DiffBase {
    private static final Comparator<EnvironmentItem> BY_NAME_BYTES = (a, b) -> Arrays.compareUnsigned(
            a.name().getBytes(StandardCharsets.UTF_8), b.name().getBytes(StandardCharsets.UTF_8));

    private final List<EnvironmentItem> items;
    private final long length;

    private DiffBase(List<EnvironmentItem> items) {
        this.items = items.stream().sorted(BY_NAME_BYTES).toList();
        this.length = items.stream().mapToLong(EnvironmentItem::size).sum();
    }

    /** The base of a diff from {@code base} (the info the diff applies to). */
    public static DiffBase of(EnvironmentSnapshot base) {
        requireNonNull(base, "base is null");
        return new DiffBase(base.items());
    }

    /** The base of a one-item diff: {@code content}, the item's bytes. */
    public static DiffBase ofContent(byte[] content) {
        requireNonNull(content, "content is null");
        return new DiffBase(List.of(new EnvironmentItem("item", content)));
    }

    /** The number of bytes of the dictionary. */
    public long length() {
        return length;
    }

    /** The number of items. */
    public int itemCount() {
        return items.size();
    }

    /** Whether the base fits in a container ({@link DiffContainerFormat#MAX_BASE_BYTES}). */
    public boolean fitsContainer() {
        return length <= DiffContainerFormat.MAX_BASE_BYTES;
    }

    /** CRC32C of the dictionary bytes, computed item by item without concatenating them. */
    public int crc32c() {
        var crc = new CRC32C();
        for (EnvironmentItem item : items) {
            crc.update(item.content());
        }
        return (int) crc.getValue();
    }

    /** The dictionary: the items' contents concatenated in name order. */
    byte[] bytes() {
        if (!fitsContainer()) {
            throw new IllegalStateException("a base of " + length + " bytes is over the container's limit of "
                    + DiffContainerFormat.MAX_BASE_BYTES);
        }
        if (items.size() == 1) {
            return items.get(0).content();
        }
        byte[] bytes = new byte[(int) length];
        int at = 0;
        for (EnvironmentItem item : items) {
            byte[] content = item.content();
            System.arraycopy(content, 0, bytes, at, content.length);
            at += content.length;
        }
        return bytes;
    }
}
