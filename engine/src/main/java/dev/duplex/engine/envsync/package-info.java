/**
 * Failover operating-environment sync (seed 003): extraction of the difference between the
 * active's latest environment info (101) and the standby's (111) by XOR a machine word at a
 * time ({@link dev.duplex.engine.envsync.DiffExtractor}), the FIG. 5 diff info as a binary
 * format ({@link dev.duplex.engine.envsync.DiffEncoder}, {@link dev.duplex.engine.envsync.DiffDecoder},
 * {@code docs/diff-format.md}), its atomic, verified application to a standby's
 * {@link dev.duplex.api.EnvironmentStore} ({@link dev.duplex.engine.envsync.DiffApplier},
 * {@link dev.duplex.engine.envsync.FullWriter}), and the choice between diff and full write
 * ({@link dev.duplex.engine.envsync.SyncChooser}, {@link dev.duplex.engine.envsync.CostModel},
 * {@link dev.duplex.engine.envsync.Calibration}). {@link dev.duplex.engine.envsync.EnvironmentSync}
 * ties them into the seed's S300 and S400 steps without any persistence.
 */
package dev.duplex.engine.envsync;
