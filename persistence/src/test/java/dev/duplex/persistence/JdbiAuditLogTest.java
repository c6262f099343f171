package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditEntry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbiAuditLogTest {
    private Database database;
    private JdbiAuditLog audit;

    @BeforeAll
    void start(TestServer server) {
        database = server.startFresh("audit_log_test");
        audit = new JdbiAuditLog(database.jdbi());
    }

    @AfterAll
    void stop() {
        database.close();
    }

    @Test
    void recordsAndListsNewestFirstWithJsonImages() throws Exception {
        // far in the future, so these are the newest lines whatever other tests wrote
        Instant t0 = Instant.parse("2100-01-01T10:00:00.123456Z");
        record Endpoint(String name, String driverKind) {}
        audit.record(AuditEntry.of(t0, new Actor("alice@host"), "endpoint.add", "endpoint/ep1", Optional.empty(),
                Optional.of(new Endpoint("ep1", "local"))));
        audit.record(AuditEntry.of(t0.plusSeconds(60), new Actor("node-a"), "pair.switchover", "pair/kv",
                Optional.of(Map.of("active", 0)), Optional.of(Map.of("active", 1))));
        audit.record(AuditEntry.of(t0.plusSeconds(30), new Actor("bob@host"), "endpoint.remove", "endpoint/ep2",
                Optional.of(Map.of("name", "ep2")), Optional.empty()));

        List<AuditEntry> recent = audit.recent(3);
        assertEquals(List.of("pair.switchover", "endpoint.remove", "endpoint.add"), recent.stream().map(AuditEntry::action).toList());
        AuditEntry first = recent.get(2);
        assertEquals(t0, first.at());
        assertEquals(new Actor("alice@host"), first.actor());
        assertEquals("endpoint/ep1", first.object());
        assertEquals(Optional.empty(), first.beforeJson());
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree("{\"driver_kind\":\"local\",\"name\":\"ep1\"}"), first.after().orElseThrow());
        assertEquals(json.readTree("{\"active\": 1}"), recent.get(0).after().orElseThrow());
        assertEquals(2, audit.recent(2).size());
        assertEquals(List.of(), audit.recent(0));
    }

    @Test
    void theDatabaseKeepsTheLogAppendOnly() {
        audit.record(AuditEntry.of(Instant.now(), new Actor("a"), "x.y", "o", Optional.empty(), Optional.empty()));
        var e = assertThrows(JdbiException.class, () -> database.jdbi().useHandle(h -> h.execute("DELETE FROM audit_log")));
        assertTrue(e.getMessage().contains("append-only"), e.getMessage());
        assertThrows(JdbiException.class, () -> database.jdbi().useHandle(h -> h.execute("UPDATE audit_log SET actor = 'mallory'")));
        assertThrows(JdbiException.class, () -> database.jdbi().useHandle(h -> h.execute("TRUNCATE audit_log")));
    }
}
