package dev.duplex.engine.inventory;

/** Whether the standby runs (hot, upgraded side by side) or is powered off until failover (cold). */
public enum StandbyKind {
    HOT, COLD
}
