package dev.duplex.engine.fleet;

/** Progress of a fleet upgrade, for a frontend to show. Called from the fleet's threads. */
public interface FleetListener {
    FleetListener NONE = new FleetListener() {};

    default void waveStarted(Wave wave) {}

    default void pairEnded(PairOutcome outcome) {}

    default void stopped(String reason) {}
}
