package dev.duplex.engine.token;

import static java.util.Objects.requireNonNull;

/**
 * Who a request's token says it comes from.
 *
 * @param name the token's name
 * @param role what it may do
 */
public record TokenHolder(String name, TokenRole role) {
    public TokenHolder {
        requireNonNull(name, "name is null");
        requireNonNull(role, "role is null");
    }

    /** The actor recorded in jobs and the audit log: {@code token:NAME}, never to be mistaken for an operating-system user. */
    public String actor() {
        return "token:" + name;
    }
}
