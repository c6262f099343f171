package dev.duplex.api;

/** Receives progress of a long copy, so a frontend can draw a progress bar. Called from the copying thread. */
@FunctionalInterface
public interface CopyProgress {
    /** Ignores progress. */
    CopyProgress NONE = (copied, total) -> {};

    /**
     * @param copiedBytes bytes copied so far
     * @param totalBytes bytes to copy in all, or -1 when unknown
     */
    void update(long copiedBytes, long totalBytes);
}
