package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.engine.token.IssuedToken;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import dev.duplex.server.security.Access;
import dev.duplex.server.security.BearerAuthentication;
import dev.duplex.server.security.VerifiedTokens;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** API tokens, for admins: issue one (its secret shown in this answer only; the database keeps a salted hash), list, revoke. */
public final class TokenRoutes {
    private static final String EXAMPLE = "{\"name\": \"ci-bot\", \"role\": \"viewer|operator|admin\"}";

    private final TokenService tokens;
    private final VerifiedTokens verified;
    private final RequestBodies bodies;

    public TokenRoutes(TokenService tokens, VerifiedTokens verified, ObjectMapper json) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.verified = requireNonNull(verified, "verified is null");
        this.bodies = new RequestBodies(json);
    }

    /** {@code POST /api/v1/tokens}. */
    record TokenBody(String name, String role) {}

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/tokens", ctx -> ctx.json(tokens.list().stream().map(Views.TokenView::of).toList()), Access.ADMIN);
        routes.post("/api/v1/tokens", this::create, Access.ADMIN);
        routes.delete("/api/v1/tokens/{name}", ctx -> {
            tokens.revoke(ctx.pathParam("name"), BearerAuthentication.holder(ctx).actor());
            verified.forgetAll(); // revoked here: refused here from the next request on
            ctx.status(204);
        }, Access.ADMIN);
    }

    private void create(Context ctx) {
        String what = "The new token";
        TokenBody body = bodies.read(ctx, TokenBody.class, what, EXAMPLE);
        TokenRole role = TokenRole.parse(RequestBodies.required(body.role(), "role", what));
        IssuedToken issued = tokens.create(RequestBodies.required(body.name(), "name", what), role, BearerAuthentication.holder(ctx).actor());
        // The secret must not linger in a cache between here and the client.
        ctx.header("Cache-Control", "no-store");
        InventoryRoutes.created(ctx, "/api/v1/tokens").json(new Views.IssuedTokenView(issued.name(), issued.role().key(), issued.secret(),
                "Shown once: Duplex keeps only a salted hash of it. Store it now (mode 600)."));
    }
}
