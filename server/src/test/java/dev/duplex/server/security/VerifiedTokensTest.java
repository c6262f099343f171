package dev.duplex.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.token.ApiTokens;
import dev.duplex.engine.token.StoredToken;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {
    /** Tokens in memory, counting how often the store is asked. */
    private static final class CountingTokens implements ApiTokens {
        final List<StoredToken> stored = new ArrayList<>();
        int lookups;

        @Override
        public void add(StoredToken token) {
            stored.add(token);
        }

        @Override
        public Optional<StoredToken> liveByKeyId(String keyId) {
            lookups++;
            return stored.stream().filter(t -> t.keyId().equals(keyId) && t.revokedAt().isEmpty()).findFirst();
        }

        @Override
        public List<StoredToken> list() {
            return List.copyOf(stored);
        }

        @Override
        public boolean revoke(String name, Instant at, String revokedBy) {
            for (int i = 0; i < stored.size(); i++) {
                StoredToken t = stored.get(i);
                if (t.name().equals(name) && t.revokedAt().isEmpty()) {
                    stored.set(i, new StoredToken(t.name(), t.role(), t.keyId(), t.salt(), t.secretHash(), t.createdAt(), t.createdBy(),
                            Optional.of(at)));
                    return true;
                }
            }
            return false;
        }
    }

    private static final class NoAudit implements AuditLog {
        @Override
        public void record(AuditEntry entry) {}

        @Override
        public List<AuditEntry> recent(int limit) {
            return List.of();
        }
    }

    private final CountingTokens store = new CountingTokens();
    private final TokenService service = new TokenService(store, new NoAudit());
    private final AtomicLong now = new AtomicLong();
    private final VerifiedTokens verified = new VerifiedTokens(service, Duration.ofSeconds(2), now::get);

    @Test
    void anAcceptedTokenIsRememberedForTheTimeToLiveOnlyAndARevocationElsewhereTakesEffectAfterIt() {
        String secret = service.create("ci", TokenRole.OPERATOR, "test").secret();
        assertEquals("ci", verified.authenticate(secret).orElseThrow().name());
        assertEquals("ci", verified.authenticate(secret).orElseThrow().name());
        assertEquals(1, store.lookups, "the second request did not reach the store");

        service.revoke("ci", "test");
        now.addAndGet(Duration.ofMillis(1999).toNanos());
        assertTrue(verified.authenticate(secret).isPresent(), "still within the time to live");
        now.addAndGet(Duration.ofMillis(2).toNanos());
        assertEquals(Optional.empty(), verified.authenticate(secret), "expired: asked again, and refused");
        assertEquals(Optional.empty(), verified.authenticate(secret));
        assertEquals(3, store.lookups, "a refusal is never remembered");
    }

    @Test
    void forgetAllMakesARevocationHereImmediateAndAWrongSecretIsNeverTakenForARememberedOne() {
        String secret = service.create("ops", TokenRole.ADMIN, "test").secret();
        assertTrue(verified.authenticate(secret).isPresent());
        String wrong = secret.substring(0, secret.length() - 1) + (secret.endsWith("A") ? "B" : "A");
        assertEquals(Optional.empty(), verified.authenticate(wrong), "same key id, other secret");
        assertEquals(Optional.empty(), verified.authenticate("x".repeat(101)));
        assertEquals(Optional.empty(), verified.authenticate(null));

        service.revoke("ops", "test");
        verified.forgetAll();
        assertEquals(Optional.empty(), verified.authenticate(secret));
    }
}
