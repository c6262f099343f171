package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.inventory.InventoryConflictException;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The inventory's version (V10) on real PostgreSQL: it moves with every inventory write, visibly only once it commits. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbiInventoryVersionTest {
    private Database database;
    private JdbiInventory inventory;
    private JdbiInventoryVersion version;

    @BeforeAll
    void start(TestServer server) {
        database = server.startFresh("inventory_version_test");
        inventory = new JdbiInventory(database.jdbi());
        version = new JdbiInventoryVersion(database.jdbi());
    }

    @AfterAll
    void stop() {
        database.close();
    }

    @Test
    void readsLeaveTheVersionAloneAndEveryKindOfWriteMovesIt() {
        Fixtures.addPair(inventory, "kv");
        long before = version.current();
        inventory.pairs();
        inventory.vms();
        inventory.pair("kv");
        assertEquals(before, version.current(), "reads do not change the inventory");

        inventory.setActiveSystem("kv", 1);
        long afterSwitch = version.current();
        assertTrue(afterSwitch > before, "a switch-over changes what the pair list shows");

        inventory.removePair("kv");
        long afterDelete = version.current();
        assertTrue(afterDelete > afterSwitch, "a deleted pair changes the list");

        inventory.removeVm("kv-1");
        inventory.removeVolume("kv-vol1");
        assertTrue(version.current() > afterDelete, "VMs and volumes are inventory too");
    }

    @Test
    void aTransactionMovesTheVersionOnceHoweverManyStatementsItHasAndTheNextMovesItAgain() {
        long before = version.current();
        try (Handle writer = database.jdbi().open()) {
            writer.useTransaction(h -> {
                for (int i = 0; i < 50; i++) {
                    h.execute("INSERT INTO endpoints (name, driver_kind, uri, properties) VALUES (?, 'local', 'local:', '{}'::jsonb)", "many-" + i);
                }
            });
            // one bump per commit: fifty UPDATEs of one row in one transaction cost quadratic time at a fleet's scale
            assertEquals(before + 1, version.current());
            writer.useTransaction(h -> h.execute("DELETE FROM endpoints WHERE name LIKE 'many-%'"));
            assertEquals(before + 2, version.current(), "the same connection's next transaction bumps again");
        }
    }

    @Test
    void aBumpUndoneWithItsSavepointIsMadeAgainByTheNextStatement() {
        long before = version.current();
        try (Handle writer = database.jdbi().open()) {
            writer.useTransaction(h -> {
                h.savepoint("first");
                h.execute("INSERT INTO endpoints (name, driver_kind, uri, properties) VALUES ('undone', 'local', 'local:', '{}'::jsonb)");
                h.rollbackToSavepoint("first");
                h.execute("INSERT INTO endpoints (name, driver_kind, uri, properties) VALUES ('kept', 'local', 'local:', '{}'::jsonb)");
            });
        }
        assertEquals(before + 1, version.current(), "the kept insert moved the version");
        inventory.removeEndpoint("kept");
    }

    @Test
    void aWriteStillOpenInAnotherTransactionDoesNotMoveTheVersionUntilItCommits() {
        long before = version.current();
        try (Handle writer = database.jdbi().open()) {
            writer.begin();
            writer.execute("INSERT INTO endpoints (name, driver_kind, uri, properties) VALUES ('open-tx', 'local', 'local:', '{}'::jsonb)");
            assertEquals(before, version.current(), "a reader must not see the new version before the new rows");
            writer.commit();
        }
        assertTrue(version.current() > before);
        inventory.removeEndpoint("open-tx");
    }

    @Test
    void writersOnTwoConnectionsDoNotQueueOnTheVersionAndBothCount() {
        try (Handle first = database.jdbi().open(); Handle second = otherSlotThan(first)) {
            long before = version.current();
            first.begin();
            first.execute("INSERT INTO endpoints (name, driver_kind, uri, properties) VALUES ('slot-a', 'local', 'local:', '{}'::jsonb)");
            second.begin();
            // With one counter row this waited for the first writer's commit: refused after 2 s here.
            second.execute("SET LOCAL lock_timeout = '2s'");
            second.execute("INSERT INTO endpoints (name, driver_kind, uri, properties) VALUES ('slot-b', 'local', 'local:', '{}'::jsonb)");
            second.commit();
            long afterSecond = version.current();
            assertTrue(afterSecond > before, "the second writer's commit is seen at once");
            first.commit();
            assertTrue(version.current() > afterSecond, "and the first's on top of it: the sum only grows");
        }
        inventory.removeEndpoint("slot-a");
        inventory.removeEndpoint("slot-b");
    }

    /** A connection whose backend bumps another slot than {@code first}'s (pg_backend_pid() % 64). */
    private Handle otherSlotThan(Handle first) {
        int slot = backendPid(first) % 64;
        java.util.List<Handle> sameSlot = new java.util.ArrayList<>();
        try {
            while (true) {
                Handle next = database.jdbi().open();
                if (backendPid(next) % 64 != slot) {
                    return next;
                }
                sameSlot.add(next);
            }
        } finally {
            sameSlot.forEach(Handle::close);
        }
    }

    private static int backendPid(Handle handle) {
        return handle.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one();
    }

    @Test
    void aRefusedWriteLeavesTheVersionWhereItWas() {
        inventory.addEndpoint(Fixtures.endpoint("taken"));
        long before = version.current();
        assertThrows(InventoryConflictException.class, () -> inventory.addEndpoint(Fixtures.endpoint("taken")));
        assertEquals(before, version.current(), "the bump is rolled back with the refused insert");
        inventory.removeEndpoint("taken");
    }
}
