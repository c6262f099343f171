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
    void aRefusedWriteLeavesTheVersionWhereItWas() {
        inventory.addEndpoint(Fixtures.endpoint("taken"));
        long before = version.current();
        assertThrows(InventoryConflictException.class, () -> inventory.addEndpoint(Fixtures.endpoint("taken")));
        assertEquals(before, version.current(), "the bump is rolled back with the refused insert");
        inventory.removeEndpoint("taken");
    }
}
