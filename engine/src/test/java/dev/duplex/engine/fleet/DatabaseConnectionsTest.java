package dev.duplex.engine.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DatabaseConnectionsTest {
    @Test
    void aFleetAsksForAConnectionPerEightPairsInFlightPlusItsOwn() {
        assertEquals(35, DatabaseConnections.wantedFor(200));
        assertEquals(12, DatabaseConnections.wantedFor(10));
    }

    @Test
    void aFewPairsStillGetAConnectionBesidesTheFleetsOwn() {
        assertEquals(DatabaseConnections.FLEET_RESERVE + 1, DatabaseConnections.wantedFor(1));
        assertEquals(DatabaseConnections.FLEET_RESERVE + 2, DatabaseConnections.wantedFor(9));
        assertEquals(DatabaseConnections.FLEET_RESERVE + 268_435_456, DatabaseConnections.wantedFor(Integer.MAX_VALUE));
    }

    @Test
    void noPairsOrANegativeCountInFlightIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseConnections.wantedFor(0));
        assertTrue(e.getMessage().contains("at least one pair"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DatabaseConnections.wantedFor(-200));
        assertThrows(IllegalArgumentException.class, () -> DatabaseConnections.wantedFor(Integer.MIN_VALUE));
    }
}
