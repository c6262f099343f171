package dev.duplex.engine.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.duplex.engine.testing.FakeAuditLog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditEntryTest {
    private static final Instant NOON = Instant.parse("2030-01-01T12:00:00Z");

    record Moved(String fromEndpoint, long sizeBytes, List<String> links) {}

    @Test
    void aValueBecomesAJsonTreeWithSnakeCaseKeys() {
        AuditEntry entry = AuditEntry.of(NOON, new Actor("ops@mgmt"), "volume.move", "volume/db-0", Optional.empty(),
                Optional.of(new Moved("lab", 1024, List.of("kv-0"))));

        assertEquals(Optional.of("{\"from_endpoint\":\"lab\",\"size_bytes\":1024,\"links\":[\"kv-0\"]}"), entry.afterJson());
        assertEquals(Optional.empty(), entry.before());
    }

    @Test
    void textThatNeedsEscapingStaysTheExactValue() {
        String hostile = "a\"b\\c\n\u001b[31m}";
        AuditEntry entry = AuditEntry.of(NOON, new Actor("ops"), "x", "y", Optional.empty(), Optional.of(Map.of("name", hostile)));

        assertEquals(hostile, AuditEntry.parse(entry.afterJson().orElseThrow()).get("name").textValue());
    }

    @Test
    void storedTextThatIsNotJsonIsRefusedWhenRead() {
        var e = assertThrows(IllegalArgumentException.class, () -> AuditEntry.parse("{\"job\": 7"));
        assertEquals(true, e.getMessage().startsWith("An audit detail is not JSON"), e.getMessage());
    }

    @Test
    void theTrailStampsEntriesWithItsClock() {
        FakeAuditLog log = new FakeAuditLog();
        new AuditTrail(log, Clock.fixed(NOON, ZoneOffset.UTC)).created(new Actor("ops"), "image.register", "image/img-1", Map.of("version", "1.0"));

        AuditEntry entry = log.recent(1).get(0);
        assertEquals(NOON, entry.at());
        assertEquals("1.0", entry.after().orElseThrow().get("version").asText());
        assertThrows(IllegalArgumentException.class, () -> new Actor(" "));
    }
}
