package dev.duplex.api;

import static java.util.Objects.requireNonNull;

/**
 * A driver's handle on a software image.
 *
 * @param id the platform's identifier, stable for the object's life and enough for the driver
 *     to find the object again from a new connection (after the orchestrator restarted)
 * @param name the human name it was created with, for messages
 */
public record ImageRef(String id, String name) {
    public ImageRef {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        if (id.isBlank()) {
            throw new IllegalArgumentException("image id is blank");
        }
    }

    @Override
    public String toString() {
        return name.equals(id) ? name : name + " (" + id + ")";
    }
}
