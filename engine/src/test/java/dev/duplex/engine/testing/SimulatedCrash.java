package dev.duplex.engine.testing;

/** Stands for the orchestrator being killed: an Error, so nothing in the engine catches it. */
public final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    public SimulatedCrash(String where) {
        super("simulated crash " + where);
    }
}
