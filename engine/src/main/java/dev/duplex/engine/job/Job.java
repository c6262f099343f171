package dev.duplex.engine.job;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A unit of work on one pair.
 *
 * @param id database id
 * @param kind {@code upgrade}, {@code rollback}, {@code failover}, ...
 * @param pair the pair it works on
 * @param state its state
 * @param requestedBy who asked (user@host)
 * @param parameters what it was asked to do (target images, strategy, ...)
 * @param owner the node that runs it now, if claimed
 * @param heartbeat the owner's last heartbeat
 * @param error why it failed, if it did
 */
public record Job(long id, String kind, String pair, JobState state, String requestedBy, Map<String, String> parameters,
        Optional<String> owner, Optional<Instant> heartbeat, Optional<String> error) {
    public Job {
        requireNonNull(kind, "kind is null");
        requireNonNull(pair, "pair is null");
        requireNonNull(state, "state is null");
        requireNonNull(requestedBy, "requestedBy is null");
        parameters = Map.copyOf(requireNonNull(parameters, "parameters is null"));
        requireNonNull(owner, "owner is null");
        requireNonNull(heartbeat, "heartbeat is null");
        requireNonNull(error, "error is null");
    }
}
