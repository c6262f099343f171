package dev.duplex.engine.token;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.duplex.api.ObjectName;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.audit.AuditLog;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issues, checks and revokes the API's bearer tokens.
 *
 * <p>A token reads {@code dpx_KEYID_SECRET}: a public key id (8 random bytes in hex) by which it is
 * found, and a secret of 32 random bytes (base64url). Only a salted SHA-256 of the secret is
 * stored. A slow password hash would buy nothing here: the secret is 256 random bits, not a
 * password a person chose, so there is no dictionary to run; and every request is checked.
 */
public final class TokenService {
    private static final Pattern FORMAT = Pattern.compile("dpx_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");

    private final ApiTokens tokens;
    private final AuditLog audit;
    private final SecureRandom random;
    private final Clock clock;

    @Inject
    public TokenService(ApiTokens tokens, AuditLog audit) {
        this(tokens, audit, new SecureRandom(), Clock.systemUTC());
    }

    public TokenService(ApiTokens tokens, AuditLog audit, SecureRandom random, Clock clock) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.random = requireNonNull(random, "random is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Issues a token; its secret is in the result and nowhere else. Refused when a live token has that name. */
    public IssuedToken create(String name, TokenRole role, String actor) {
        ObjectName.check("token", name);
        requireNonNull(role, "role is null");
        byte[] key = new byte[8];
        byte[] secret = new byte[32];
        byte[] salt = new byte[16];
        random.nextBytes(key);
        random.nextBytes(secret);
        random.nextBytes(salt);
        String keyId = HexFormat.of().formatHex(key);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        tokens.add(new StoredToken(name, role, keyId, salt, hash(salt, secretText), now, actor, Optional.empty()));
        audit.record(AuditEntry.of(now, new Actor(actor), "token.create", "token/" + name, Optional.empty(),
                Optional.of(new TokenAudit(name, role.key(), keyId))));
        return new IssuedToken(name, role, "dpx_" + keyId + "_" + secretText);
    }

    /** Who holds {@code bearer}, if it is a live token; empty for anything else, without saying why. */
    public Optional<TokenHolder> authenticate(String bearer) {
        if (bearer == null || bearer.length() > 100) {
            return Optional.empty();
        }
        Matcher matcher = FORMAT.matcher(bearer);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Optional<StoredToken> stored = tokens.liveByKeyId(matcher.group(1));
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = hash(stored.get().salt(), matcher.group(2));
        if (!MessageDigest.isEqual(presented, stored.get().secretHash())) {
            return Optional.empty();
        }
        return Optional.of(new TokenHolder(stored.get().name(), stored.get().role()));
    }

    /** Every token, revoked ones included; no secret or hash leaves through it (see {@link StoredToken#toString}). */
    public List<StoredToken> list() {
        return tokens.list();
    }

    /** Revokes the live token of that name; refused when there is none. */
    public void revoke(String name, String actor) {
        ObjectName.check("token", name);
        Instant now = clock.instant();
        if (!tokens.revoke(name, now, actor)) {
            throw new dev.duplex.engine.inventory.NotInInventoryException("live token", name);
        }
        audit.record(AuditEntry.of(now, new Actor(actor), "token.revoke", "token/" + name, Optional.empty(), Optional.empty()));
    }

    private static byte[] hash(byte[] salt, String secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            digest.update(secret.getBytes(StandardCharsets.US_ASCII));
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    /** What the audit log keeps of a new token: never its secret or hash. */
    // keyId keeps the key it was stored under before the audit log switched to snake case.
    private record TokenAudit(String name, String role, @JsonProperty("keyId") String keyId) {}
}
