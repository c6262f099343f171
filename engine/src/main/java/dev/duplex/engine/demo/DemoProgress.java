package dev.duplex.engine.demo;

import java.util.List;
import java.util.Optional;

/** What a demo or a benchmark tells while it runs, for the frontend to show. */
public interface DemoProgress {
    DemoProgress NONE = new DemoProgress() {};

    /** A member's database volume is being filled. */
    default void filling(String volume, long bytes) {}

    /** The pair serves, and the client load goes through the service address. */
    default void pairUp(String pair, List<String> members, int[] ports, int rate, int addressPort) {}

    /**
     * The client's gap at the switchover and where it went.
     *
     * @param switchoverGapMs the gap around the moment the old active stepped down, 0 when a success came within 10 ms of it
     * @param timeline the role changes that fell into that gap, as offsets from its start; empty when there was no gap
     * @param longestGapMs the longest gap anywhere in the upgrade
     */
    default void clientGap(long switchoverGapMs, Optional<String> timeline, long longestGapMs) {}

    /** A benchmark's run was deleted with its volumes. */
    default void discarded(String pair, List<String> volumes) {}

    /** Something that went wrong in a clean-up, which the run goes on without. */
    default void problem(String what) {}
}
