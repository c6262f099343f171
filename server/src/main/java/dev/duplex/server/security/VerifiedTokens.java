package dev.duplex.server.security;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.token.TokenHolder;
import dev.duplex.engine.token.TokenService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers, for a short while, which bearer tokens the token service accepted, so that a busy
 * client does not cost a database round trip per request. Safe because: only acceptances are kept
 * (a wrong token always reaches the service, so guessing gains nothing); entries are keyed by a
 * SHA-256 of the presented token, so no secret sits in the map; an entry lives at most {@code ttl},
 * which bounds how long a token revoked elsewhere (the CLI, another node) still works here, while
 * one revoked through this server is forgotten at once ({@link #forgetAll}); and the map is bounded.
 */
public final class VerifiedTokens {
    private static final int MAX_ENTRIES = 10_000;

    private record Verified(TokenHolder holder, long expiresAtNanos) {}

    private final TokenService tokens;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    public VerifiedTokens(TokenService tokens, Duration ttl) {
        this(tokens, ttl, System::nanoTime);
    }

    VerifiedTokens(TokenService tokens, Duration ttl, LongSupplier nanoClock) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.ttlNanos = requireNonNull(ttl, "ttl is null").toNanos();
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    }

    /** Who holds {@code bearer}, if it is a live token (as of at most the time-to-live ago). */
    public Optional<TokenHolder> authenticate(String bearer) {
        if (bearer == null || bearer.length() > 100 || ttlNanos <= 0) {
            return tokens.authenticate(bearer);
        }
        String key = fingerprint(bearer);
        long now = nanoClock.getAsLong();
        Verified known = verified.get(key);
        if (known != null && now - known.expiresAtNanos() < 0) {
            return Optional.of(known.holder());
        }
        Optional<TokenHolder> holder = tokens.authenticate(bearer);
        if (holder.isPresent()) {
            if (verified.size() >= MAX_ENTRIES) {
                verified.clear(); // rare: more live tokens in use than that; start over rather than grow
            }
            verified.put(key, new Verified(holder.get(), now + ttlNanos));
        } else {
            verified.remove(key);
        }
        return holder;
    }

    /** After a revocation: every token is checked against the database again. */
    public void forgetAll() {
        verified.clear();
    }

    private static String fingerprint(String bearer) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bearer.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }
}
