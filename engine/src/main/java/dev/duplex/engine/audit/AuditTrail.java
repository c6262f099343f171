package dev.duplex.engine.audit;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Optional;

/** Writes audit entries for the engine's services: who did what to which object, with values before and after. */
public final class AuditTrail {
    private final AuditLog log;
    private final Clock clock;

    @Inject
    public AuditTrail(AuditLog log) {
        this(log, Clock.systemUTC());
    }

    public AuditTrail(AuditLog log, Clock clock) {
        this.log = requireNonNull(log, "log is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Records a change; {@code before} and {@code after} are values (records, maps) or empty. */
    public void record(Actor actor, String action, String object, Optional<?> before, Optional<?> after) {
        log.record(AuditEntry.of(clock.instant(), actor, action, object, before, after));
    }

    /** Records a change that made {@code after}. */
    public void created(Actor actor, String action, String object, Object after) {
        record(actor, action, object, Optional.empty(), Optional.of(after));
    }
}
