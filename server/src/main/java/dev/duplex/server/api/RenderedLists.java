package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Inventory lists rendered once per inventory version. Rendering {@code GET /api/v1/pairs} for
 * hundreds of pairs (read, redact, serialise) is most of a request's cost, and its body only changes
 * when the inventory does; the inventory's version is one tiny query, bumped by every inventory write
 * in that write's transaction, so a list changed through another node or the CLI is seen at once.
 *
 * <p>Only lists built from inventory rows alone may come through here: nothing a driver reports live.
 * The body is the same for every role that may read the route (secrets are redacted for all), so it
 * is kept per route only; one entry per route, so no request can make the map grow. The version is
 * read before the rows, so a kept body is never older than the version it is kept under. Clients may
 * revalidate with {@code If-None-Match}: the ETag is a digest of the body.
 */
final class RenderedLists {
    private record Rendering(long version, byte[] body, String etag) {}

    private final LongSupplier inventoryVersion;
    private final ObjectMapper json;
    private final Map<String, Rendering> byRoute = new ConcurrentHashMap<>();

    RenderedLists(LongSupplier inventoryVersion, ObjectMapper json) {
        this.inventoryVersion = requireNonNull(inventoryVersion, "inventoryVersion is null");
        this.json = requireNonNull(json, "json is null");
    }

    /** Answers {@code ctx} with the list {@code render} builds, rendered again only when the inventory moved. */
    void answer(Context ctx, String route, Supplier<?> render) {
        long version = inventoryVersion.getAsLong(); // first: the rows read below are at least this new
        Rendering kept = byRoute.get(route);
        if (kept == null || kept.version() != version) {
            byte[] body = serialise(render.get());
            kept = new Rendering(version, body, etag(body));
            // A slower request may put back an older version; the next request then renders again. Never stale, at worst once more work.
            byRoute.put(route, kept);
        }
        ctx.header("ETag", kept.etag());
        if (matches(ctx.header("If-None-Match"), kept.etag())) {
            ctx.status(304);
            return;
        }
        ctx.contentType("application/json").result(kept.body());
    }

    private byte[] serialise(Object list) {
        try {
            return json.writeValueAsBytes(list);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not render an inventory list as JSON", e);
        }
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    /** RFC 9110 If-None-Match: {@code *} or a list of entity tags, compared weakly. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || ifNoneMatch.length() > 1024) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
