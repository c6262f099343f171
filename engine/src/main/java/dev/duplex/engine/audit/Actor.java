package dev.duplex.engine.audit;

import static java.util.Objects.requireNonNull;

/**
 * Who asks for a change: an operating-system user on a host ({@code root(uid 0)@mgmt-1}), an
 * API token's name, or a node running a job. The audit log records it with every change.
 *
 * @param name how the audit log names it
 */
public record Actor(String name) {
    public Actor {
        requireNonNull(name, "name is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("an actor has a name");
        }
    }

    /** The user running this process, as the kernel knows it. */
    public static Actor operatingSystemUser() {
        return new Actor(OperatingSystemUser.current());
    }

    @Override
    public String toString() {
        return name;
    }
}
