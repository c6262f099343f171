package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One step of a run, from the journal.
 *
 * @param id the step's id
 * @param action what it does
 * @param member the member it acts on
 * @param state started (still running, or the orchestrator died in it), done or failed
 * @param started when it started
 * @param ended when it ended, if it did
 * @param error why it failed
 * @param outputs what it created or measured
 */
public record StepTiming(String id, String action, String member, StepState state, Instant started, Optional<Instant> ended,
        Optional<String> error, Map<String, String> outputs) {
    public StepTiming {
        requireNonNull(id, "id is null");
        requireNonNull(action, "action is null");
        requireNonNull(member, "member is null");
        requireNonNull(state, "state is null");
        requireNonNull(started, "started is null");
        requireNonNull(ended, "ended is null");
        requireNonNull(error, "error is null");
        outputs = Map.copyOf(requireNonNull(outputs, "outputs is null"));
    }

    /** Start to end; empty while it has not ended. */
    public Optional<Duration> elapsed() {
        return ended.map(end -> Duration.between(started, end));
    }
}
