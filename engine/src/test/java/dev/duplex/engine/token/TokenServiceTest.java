package dev.duplex.engine.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.testing.FakeAuditLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenServiceTest {
    /** The port as the database keeps it: one live token per name. */
    static final class InMemoryTokens implements ApiTokens {
        final List<StoredToken> rows = new ArrayList<>();

        @Override
        public synchronized void add(StoredToken token) {
            if (rows.stream().anyMatch(t -> t.name().equals(token.name()) && t.revokedAt().isEmpty())) {
                throw new InventoryConflictException("taken: " + token.name());
            }
            rows.add(token);
        }

        @Override
        public synchronized Optional<StoredToken> liveByKeyId(String keyId) {
            return rows.stream().filter(t -> t.keyId().equals(keyId) && t.revokedAt().isEmpty()).findFirst();
        }

        @Override
        public synchronized List<StoredToken> list() {
            return List.copyOf(rows);
        }

        @Override
        public synchronized boolean revoke(String name, Instant at, String revokedBy) {
            for (int i = 0; i < rows.size(); i++) {
                StoredToken t = rows.get(i);
                if (t.name().equals(name) && t.revokedAt().isEmpty()) {
                    rows.set(i, new StoredToken(t.name(), t.role(), t.keyId(), t.salt(), t.secretHash(), t.createdAt(), t.createdBy(), Optional.of(at)));
                    return true;
                }
            }
            return false;
        }
    }

    private final InMemoryTokens tokens = new InMemoryTokens();
    private final FakeAuditLog audit = new FakeAuditLog();
    private final TokenService service = new TokenService(tokens, audit);

    @Test
    void aCreatedTokenAuthenticatesAsItsNameAndRoleAndOnlyItsHashIsStored() {
        IssuedToken issued = service.create("ci", TokenRole.OPERATOR, "root@host");
        assertTrue(issued.secret().matches("dpx_[0-9a-f]{16}_[A-Za-z0-9_-]{43}"), issued.secret());
        assertEquals(Optional.of(new TokenHolder("ci", TokenRole.OPERATOR)), service.authenticate(issued.secret()));
        assertFalse(tokens.rows.get(0).toString().contains(issued.secret().substring(22)));
        assertFalse(issued.toString().contains(issued.secret().substring(22)));
        assertEquals("token:ci", new TokenHolder("ci", TokenRole.OPERATOR).actor());
        assertTrue(audit.recent(10).stream().anyMatch(e -> e.action().equals("token.create") && e.afterJson().orElse("").contains("\"role\":\"operator\"")
                && !e.afterJson().orElse("").contains(issued.secret().substring(22))));
    }

    @Test
    void anythingButALiveTokenIsNobody() {
        String secret = service.create("ci", TokenRole.VIEWER, "root@host").secret();
        char last = secret.charAt(secret.length() - 1);
        List<String> hostile = List.of("", " ", secret + " ", " " + secret, secret.toUpperCase(), secret.substring(0, secret.length() - 1) + (last == 'A' ? 'B' : 'A'),
                "dpx_" + secret.substring(4, 20) + "_" + "A".repeat(43), secret + "\n", secret.replace('_', '-'), "x".repeat(100_000), "dpx__",
                "dpx_" + "0".repeat(16) + "_" + secret.substring(21));
        for (String bearer : hostile) {
            assertEquals(Optional.empty(), service.authenticate(bearer), bearer.length() > 60 ? "long" : bearer);
        }
        assertEquals(Optional.empty(), service.authenticate(null));
        service.revoke("ci", "root@host");
        assertEquals(Optional.empty(), service.authenticate(secret), "revoked");
    }

    @Test
    void namesFollowTheObjectNameRuleAndLiveNamesAreUnique() {
        for (String name : List.of("", "-x", "../etc", "a b", "x\u001b[31m", "é", "a".repeat(64))) {
            assertThrows(IllegalArgumentException.class, () -> service.create(name, TokenRole.ADMIN, "root@host"), name);
        }
        service.create("ops", TokenRole.ADMIN, "root@host");
        assertThrows(InventoryConflictException.class, () -> service.create("ops", TokenRole.VIEWER, "root@host"));
        service.revoke("ops", "root@host");
        service.create("ops", TokenRole.VIEWER, "root@host"); // the name is free again
        assertThrows(NotInInventoryException.class, () -> service.revoke("nobody", "root@host"));
        assertThrows(IllegalArgumentException.class, () -> TokenRole.parse("root"));
        assertEquals(TokenRole.OPERATOR, TokenRole.parse(" Operator "));
    }

    @Test
    void rolesIncludeTheLowerOnes() {
        assertTrue(TokenRole.ADMIN.includes(TokenRole.OPERATOR));
        assertTrue(TokenRole.OPERATOR.includes(TokenRole.VIEWER));
        assertFalse(TokenRole.VIEWER.includes(TokenRole.OPERATOR));
        assertFalse(TokenRole.OPERATOR.includes(TokenRole.ADMIN));
    }
}
