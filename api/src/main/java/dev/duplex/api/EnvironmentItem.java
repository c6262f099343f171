package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * One named item of a VM's operating-environment information: firmware settings
 * ({@code settings}), configuration ({@code configuration}) or any other.
 *
 * <p>The content is copied on the way in and out, so an item is immutable; equality compares content.
 *
 * @param name the item's name, non-blank, without {@code /}
 * @param content the item's bytes
 */
public record EnvironmentItem(String name, byte[] content) {
    public EnvironmentItem {
        requireNonNull(name, "name is null");
        requireNonNull(content, "content is null");
        if (name.isBlank() || name.contains("/") || name.contains("\0") || name.startsWith(".")) {
            throw new IllegalArgumentException("invalid environment item name: '" + name + "'");
        }
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** The size in bytes, without copying the content. */
    public int size() {
        return content.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnvironmentItem other && name.equals(other.name) && Arrays.equals(content, other.content);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "EnvironmentItem[" + name + ", " + content.length + " bytes]";
    }
}
