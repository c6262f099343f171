package dev.duplex.engine.fleet;

/**
 * How a fleet asks for database connections enough for its pairs in flight: each pair's upgrade
 * writes its journal from its own thread, so a pool smaller than the in-flight count makes pairs
 * wait for a connection instead of for their platform.
 */
@FunctionalInterface
public interface DatabaseConnections {
    /** Connections a fleet asks for beyond one per pair in flight: its own journal, heartbeats, a status read. */
    int FLEET_RESERVE = 10;

    /** Where connections are not counted (in-memory ports in tests): whatever is wanted. */
    DatabaseConnections UNBOUNDED = wanted -> wanted;

    /**
     * Lets this process hold up to {@code wanted} connections where the database grants them,
     * never fewer than it may hold now; returns how many it may hold after.
     */
    int ensure(int wanted);
}
