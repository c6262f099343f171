package dev.duplex.server.security;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.token.TokenHolder;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ProblemType;
import io.javalin.http.Context;
import io.javalin.security.RouteRole;
import java.util.Optional;
import java.util.Set;

/**
 * Runs before every matched route: a route that is not {@link Access#PUBLIC} needs an
 * {@code Authorization: Bearer} token that is live (401 otherwise) and whose role includes the
 * route's (403 otherwise). A route registered without an access level is refused to everyone, so
 * a forgotten one fails closed.
 */
public final class BearerAuthentication {
    private static final String HOLDER = "duplex.token-holder";

    private final VerifiedTokens tokens;

    public BearerAuthentication(VerifiedTokens tokens) {
        this.tokens = requireNonNull(tokens, "tokens is null");
    }

    public void check(Context ctx) {
        Set<RouteRole> roles = ctx.routeRoles();
        if (roles.contains(Access.PUBLIC)) {
            return;
        }
        TokenHolder holder = authenticate(ctx);
        TokenRole needed = roles.stream().filter(Access.class::isInstance).map(Access.class::cast).flatMap(a -> a.least().stream())
                .min(Enum::compareTo).orElse(null);
        if (needed == null) {
            throw new ApiException(ProblemType.FORBIDDEN, "No role may call " + ctx.method() + " " + ctx.endpoint().path);
        }
        if (!holder.role().includes(needed)) {
            throw new ApiException(ProblemType.FORBIDDEN, "Token '" + holder.name() + "' has role " + holder.role().key() + "; "
                    + ctx.method() + " " + ctx.endpoint().path + " needs " + needed.key() + " or above. Ask an admin for a token with that role");
        }
        ctx.attribute(HOLDER, holder);
    }

    private TokenHolder authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiException(ProblemType.UNAUTHORIZED, "This request carries no token; send 'Authorization: Bearer TOKEN'"
                    + " with a token from 'duplex token create'");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(ProblemType.UNAUTHORIZED, "The Authorization header is not a bearer token; send 'Authorization: Bearer TOKEN'");
        }
        // Never echo the presented value: it may be a real token sent to the wrong place.
        return tokens.authenticate(header.substring(7).strip()).orElseThrow(() -> new ApiException(ProblemType.UNAUTHORIZED,
                "The bearer token is not a live Duplex token (unknown, revoked or mistyped); create one with 'duplex token create'"));
    }

    /** The token holder of a request that passed {@link #check}. */
    public static TokenHolder holder(Context ctx) {
        return Optional.ofNullable(ctx.<TokenHolder>attribute(HOLDER))
                .orElseThrow(() -> new ApiException(ProblemType.UNAUTHORIZED, "This route needs a bearer token"));
    }
}
