package dev.duplex.engine.upgrade;

/** Stands for the orchestrator being killed: an Error, so nothing in the engine catches it. */
final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String where) {
        super("simulated crash " + where);
    }
}
