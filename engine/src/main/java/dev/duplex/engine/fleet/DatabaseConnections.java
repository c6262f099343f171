package dev.duplex.engine.fleet;

/**
 * How a fleet asks for database connections enough for its pairs in flight. Each pair's upgrade
 * writes its journal from its own thread, but it holds a connection only for the length of one
 * statement or short transaction and waits on its platform the rest of the time, so a few pairs
 * share a connection without waiting for it. One connection per pair cost the database more CPU
 * than the work: each new backend logs in and builds its own catalog and plan caches (FleetSimulation,
 * 400 pairs at 200 in flight: PostgreSQL 6.3 ms of CPU per step on 210 connections, 3.8 ms on 24).
 */
@FunctionalInterface
public interface DatabaseConnections {
    /** Connections a fleet asks for beyond its pairs' share: its own journal, heartbeats, a status read. */
    int FLEET_RESERVE = 10;
    /** Pairs in flight per connection: a pair uses a connection for a few ms of each step of ~0.2 s or more. */
    int PAIRS_PER_CONNECTION = 8;

    /** Where connections are not counted (in-memory ports in tests): whatever is wanted. */
    DatabaseConnections UNBOUNDED = wanted -> wanted;

    /**
     * Lets this process hold up to {@code wanted} connections where the database grants them,
     * never fewer than it may hold now; returns how many it may hold after.
     */
    int ensure(int wanted);

    /** The connections a fleet of {@code inFlight} pairs at once asks for. */
    static int wantedFor(int inFlight) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("a fleet runs at least one pair at once, not " + inFlight);
        }
        return FLEET_RESERVE + (inFlight - 1) / PAIRS_PER_CONNECTION + 1; // rounded up without overflowing
    }
}
