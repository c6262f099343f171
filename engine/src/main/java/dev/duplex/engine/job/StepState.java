package dev.duplex.engine.job;

/** A journaled step: written STARTED before it runs and DONE or FAILED after. */
public enum StepState {
    STARTED, DONE, FAILED
}
