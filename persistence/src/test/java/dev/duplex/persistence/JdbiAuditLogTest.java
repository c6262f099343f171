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

    @Test
    void entriesRecordedAtOnceByManyThreadsAreEachWrittenOnceWithTheirOwnValuesAndABadOneFailsAlone() throws Exception {
        Instant t0 = Instant.parse("2090-01-01T00:00:00.000001Z");
        int threads = 16;
        int each = 40;
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> good = new java.util.ArrayList<>();
        java.util.concurrent.Future<?> bad;
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                good.add(callers.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        audit.record(AuditEntry.of(t0.plusNanos(1000L * (thread * each + i)), new Actor("node-" + thread), "load.step",
                                "pair/p" + thread + "-" + i, Optional.of(Map.of("i", i)), Optional.empty()));
                    }
                }));
            }
            // PostgreSQL refuses a NUL in text: this entry's write fails, the others' sharing its group do not
            bad = callers.submit(() -> audit.record(AuditEntry.of(t0, new Actor("mallory\u0000"), "load.step", "pair/bad",
                    Optional.empty(), Optional.empty())));
            for (var f : good) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdown();
        }
        var failed = assertThrows(java.util.concurrent.ExecutionException.class, () -> bad.get(60, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof RuntimeException, failed.toString());
        List<Map<String, Object>> rows = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT at, actor, object, before->>'i' AS i FROM audit_log WHERE action = 'load.step' ORDER BY object")
                .mapToMap().list());
        assertEquals(threads * each, rows.size(), "each entry once, the bad one not at all");
        for (Map<String, Object> row : rows) {
            String object = (String) row.get("object");
            String[] parts = object.substring("pair/p".length()).split("-");
            int thread = Integer.parseInt(parts[0]);
            int i = Integer.parseInt(parts[1]);
            assertEquals("node-" + thread, row.get("actor"), object);
            assertEquals(Integer.toString(i), row.get("i"), object);
            assertEquals(t0.plusNanos(1000L * (thread * each + i)), ((java.sql.Timestamp) row.get("at")).toInstant(), object);
        }
    }
}
