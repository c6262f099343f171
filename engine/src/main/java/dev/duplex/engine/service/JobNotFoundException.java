package dev.duplex.engine.service;

/** No job has the id asked for. */
public class JobNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JobNotFoundException(long id) {
        super("No job #" + id + "; `duplex jobs list` shows the jobs there are");
    }
}
