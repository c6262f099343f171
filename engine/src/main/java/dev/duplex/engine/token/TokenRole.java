package dev.duplex.engine.token;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a token's holder may do through the API. Each role includes the ones before it: viewers
 * read, operators also run upgrades and failovers, admins also manage endpoints and tokens.
 */
public enum TokenRole {
    VIEWER, OPERATOR, ADMIN;

    /** Whether a holder of this role may do what {@code needed} may. */
    public boolean includes(TokenRole needed) {
        return compareTo(needed) >= 0;
    }

    /** The lower-case name used on the command line, in the API and in the database. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TokenRole parse(String text) {
        for (TokenRole role : values()) {
            if (role.key().equals(text == null ? "" : text.strip().toLowerCase(Locale.ROOT))) {
                return role;
            }
        }
        throw new IllegalArgumentException("Unknown token role '" + dev.duplex.api.VisibleText.escape(String.valueOf(text)) + "'; use one of "
                + Arrays.stream(values()).map(TokenRole::key).collect(Collectors.joining(", ")));
    }
}
