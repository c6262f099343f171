/**
 * Failover of a cold-standby pair with its operating-environment sync (seed 003) over the
 * engine's ports: {@link dev.duplex.engine.failover.EnvironmentPush} (S300: record the active's
 * info, store the standby's diff ahead of failure), {@link dev.duplex.engine.failover.Failover}
 * (S400: fence the old active, sync, start the standby, record roles, as a journaled job),
 * {@link dev.duplex.engine.failover.Fence} and {@link dev.duplex.engine.failover.EnvironmentCalibration}.
 */
package dev.duplex.engine.failover;
