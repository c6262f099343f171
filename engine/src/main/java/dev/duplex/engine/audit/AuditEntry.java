package dev.duplex.engine.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * One line of the audit log.
 *
 * @param at when
 * @param actor who (user@host or node)
 * @param action what ({@code endpoint.add}, {@code upgrade.run}, ...)
 * @param object on what ({@code pair/kv})
 * @param beforeJson the object before, as JSON, if it existed
 * @param afterJson the object after, as JSON, if it exists
 */
public record AuditEntry(Instant at, String actor, String action, String object, Optional<String> beforeJson, Optional<String> afterJson) {
    public AuditEntry {
        requireNonNull(at, "at is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(action, "action is null");
        requireNonNull(object, "object is null");
        requireNonNull(beforeJson, "beforeJson is null");
        requireNonNull(afterJson, "afterJson is null");
    }
}
