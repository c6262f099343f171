package dev.duplex.engine.job;

/** Life of a job. PENDING and RUNNING are live: at most one live job per pair. */
public enum JobState {
    PENDING, RUNNING, SUCCEEDED, FAILED, ROLLED_BACK;

    public boolean live() {
        return this == PENDING || this == RUNNING;
    }
}
