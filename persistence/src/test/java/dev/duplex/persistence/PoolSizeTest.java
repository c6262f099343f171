package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** duplex.db.pool-size, and a fleet growing the pool for its pairs in flight within what the server grants. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoolSizeTest {
    @Test
    void thePoolSizeComesFromPropertiesWithTenByDefault(@TempDir Path home) {
        assertEquals(DatabaseConfig.DEFAULT_POOL_SIZE, DatabaseConfig.fromProperties(home, Map.of()).poolSize());
        assertEquals(10, DatabaseConfig.DEFAULT_POOL_SIZE);
        assertEquals(210, DatabaseConfig.fromProperties(home, Map.of(DatabaseConfig.POOL_SIZE_PROPERTY, "210")).poolSize());
        assertEquals(3, DatabaseConfig.embedded(home).withPoolSize(3).poolSize());
        assertTrue(DatabaseConfig.embedded(home).withPoolSize(3).toString().contains("poolSize=3"));
    }

    @Test
    void aBadPoolSizeIsOneLineNamingTheSetting(@TempDir Path home) {
        List<String> hostile = List.of("0", "-1", "1001", "abc", "", " ", "1e3", "10.5", "0x10", "99999999999", "10\n11", "２０");
        for (String value : hostile) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> DatabaseConfig.fromProperties(home, Map.of(DatabaseConfig.POOL_SIZE_PROPERTY, value)), value);
            assertTrue(e.getMessage().startsWith("duplex.db.pool-size must be "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DatabaseConfig.embedded(home).withPoolSize(0));
    }

    @Test
    void aFleetGrowsThePoolAndItNeverShrinks(TestServer server) throws Exception {
        DatabaseConfig config = TestServer.asSuperuser(server.freshDatabase("pool_size_test")).withPoolSize(2);
        try (Database database = Database.start(config)) {
            assertEquals(2, database.poolSize());
            assertEquals(6, database.ensureConnections(6));
            assertEquals(6, database.ensureConnections(3), "a smaller wish leaves the pool as it is");
            List<Handle> held = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    held.add(database.jdbi().open()); // six at once: the pool did grow past its configured 2
                }
                assertEquals(6, held.stream().map(h -> h.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one()).distinct().count());
            } finally {
                held.forEach(Handle::close);
            }
        }
    }

    @Test
    void thePoolGrowsNoFurtherThanTheServerGrants(TestServer server) {
        DatabaseConfig config = TestServer.asSuperuser(server.freshDatabase("pool_grant_test")).withPoolSize(2);
        try (Database database = Database.start(config)) {
            int maxConnections = database.jdbi().withHandle(h -> h.createQuery("SHOW max_connections").mapTo(Integer.class).one());
            int size = database.ensureConnections(DatabaseConfig.MAX_POOL_SIZE);
            assertTrue(size < maxConnections - Database.LEFT_TO_OTHERS + 1, size + " of " + maxConnections);
            assertTrue(size >= 2, "never below what it held: " + size);
            assertThrows(IllegalArgumentException.class, () -> database.ensureConnections(0));
            assertThrows(IllegalArgumentException.class, () -> database.ensureConnections(DatabaseConfig.MAX_POOL_SIZE + 1));
        }
    }
}
