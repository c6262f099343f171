package dev.duplex.engine.token;

import static java.util.Objects.requireNonNull;

/**
 * A token just created: the only time its full text exists outside its holder's hands.
 *
 * @param name its name
 * @param role what it may do
 * @param secret the bearer token to hand over ({@code dpx_KEYID_SECRET})
 */
public record IssuedToken(String name, TokenRole role, String secret) {
    public IssuedToken {
        requireNonNull(name, "name is null");
        requireNonNull(role, "role is null");
        requireNonNull(secret, "secret is null");
    }

    @Override
    public String toString() {
        return "IssuedToken[" + name + ", " + role.key() + ", secret redacted]";
    }
}
