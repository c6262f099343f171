package dev.duplex.server.security;

import dev.duplex.engine.token.TokenRole;
import io.javalin.security.RouteRole;
import java.util.Optional;

/** Who may call a route: anyone ({@link #PUBLIC}), or a token of at least a role. */
public enum Access implements RouteRole {
    PUBLIC(null), VIEWER(TokenRole.VIEWER), OPERATOR(TokenRole.OPERATOR), ADMIN(TokenRole.ADMIN);

    private final TokenRole least;

    Access(TokenRole least) {
        this.least = least;
    }

    /** The least token role the route needs; empty for a public route. */
    public Optional<TokenRole> least() {
        return Optional.ofNullable(least);
    }
}
