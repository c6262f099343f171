package dev.duplex.engine.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The time a user waits for a failover, split into non-overlapping parts on one clock: from the
 * call ({@code started}) to the first write the new active accepts ({@code firstWrite}), each
 * phase is its step's interval cut to that window. A phase that goes on after the first write
 * (promote reads the role back after the application already serves as ACT) counts only up to
 * it: the rest is not part of the wait. Whatever lies in no phase is Duplex's own overhead, so
 * it cannot come out negative.
 *
 * @param total from the call to the first accepted write
 * @param fence the fence phase within it
 * @param sync the sync phase within it
 * @param start the start phase within it
 * @param promote the promote phase within it
 * @param prepare from the call to the fence (claim, checks)
 * @param afterFirstWrite how long the promote phase went on past the first accepted write
 */
public record FailoverSplit(long total, long fence, long sync, long start, long promote, long prepare, long afterFirstWrite) {
    static final List<String> PHASES = List.of("fence", "sync", "start", "promote");

    public FailoverSplit {
        if (fence + sync + start + promote > total) {
            throw new IllegalArgumentException("the phases (" + (fence + sync + start + promote) + " ns) exceed the total ("
                    + total + " ns)");
        }
    }

    /** Duplex's own overhead: the waited time in none of the four phases. */
    public long overhead() {
        return total - fence - sync - start - promote;
    }

    /**
     * The split of one failover.
     *
     * @throws IllegalArgumentException when a phase is missing, or two phases overlap (they run one after the other)
     */
    static FailoverSplit of(long started, long firstWrite, Map<String, StepTimedJobs.Interval> steps) {
        if (firstWrite < started) {
            throw new IllegalArgumentException("the first write (" + firstWrite + ") precedes the failover (" + started + ")");
        }
        var intervals = new ArrayList<StepTimedJobs.Interval>();
        for (String phase : PHASES) {
            StepTimedJobs.Interval interval = steps.get(phase);
            if (interval == null) {
                throw new IllegalArgumentException("the failover journaled no '" + phase + "' step: " + steps.keySet());
            }
            intervals.add(interval);
        }
        List<StepTimedJobs.Interval> ordered = intervals.stream().sorted(Comparator.comparingLong(StepTimedJobs.Interval::start))
                .toList();
        for (int i = 1; i < ordered.size(); i++) {
            if (ordered.get(i).start() < ordered.get(i - 1).end()) {
                throw new IllegalArgumentException("failover phases overlap: " + steps);
            }
        }
        long[] within = intervals.stream()
                .mapToLong(i -> Math.max(0, Math.min(i.end(), firstWrite) - Math.max(i.start(), started))).toArray();
        StepTimedJobs.Interval promote = steps.get("promote");
        return new FailoverSplit(firstWrite - started, within[0], within[1], within[2], within[3],
                Math.max(0, Math.min(steps.get("fence").start(), firstWrite) - started), Math.max(0, promote.end() - firstWrite));
    }
}
