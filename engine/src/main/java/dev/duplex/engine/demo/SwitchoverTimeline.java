package dev.duplex.engine.demo;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Notes when each role change of a switchover was asked and answered, so the demo can say where
 * the client's longest gap went (demote, takeover, repointing the service address, the client).
 */
final class SwitchoverTimeline implements RoleController {
    private record Event(Instant at, String what) {}

    private final RoleController delegate;
    private final List<Event> events = new ArrayList<>();

    SwitchoverTimeline(RoleController delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    synchronized void note(String what) {
        events.add(new Event(Instant.now(), what));
    }

    /** When the first role change of the switchover was answered (the old active no longer takes writes), if one was. */
    synchronized java.util.Optional<Instant> firstRoleChange() {
        return events.stream().filter(e -> e.what().equals("demoted") || e.what().equals("switchover done")).map(Event::at).findFirst();
    }

    /** The events between {@code from} and {@code to}, as offsets from {@code from}; "" when none fell in. */
    synchronized String within(Instant from, Instant to) {
        if (from == null || to == null) {
            return "";
        }
        return events.stream().filter(e -> !e.at().isBefore(from.minusMillis(50)) && !e.at().isAfter(to.plusMillis(50)))
                .map(e -> String.format(java.util.Locale.ROOT, "%s %+.1f ms", e.what(),
                        java.time.Duration.between(from, e.at()).toNanos() / 1e6))
                .collect(Collectors.joining(", "));
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public Map<String, Role> roles(PairContext pair) {
        return delegate.roles(pair);
    }

    @Override
    public Role role(PairContext pair, String member) {
        return delegate.role(pair, member);
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        note("switchover asked");
        delegate.switchover(pair, newActiveMember);
        note("switchover done");
    }

    @Override
    public boolean canDemote() {
        return delegate.canDemote();
    }

    @Override
    public java.util.Optional<Role> demote(PairContext pair, String member) {
        note("demote asked");
        java.util.Optional<Role> stated = delegate.demote(pair, member);
        note("demoted");
        return stated;
    }

    @Override
    public void takeOver(PairContext pair, String member) {
        note("takeover asked");
        delegate.takeOver(pair, member);
        note("took over");
    }

    @Override
    public boolean canPromote() {
        return delegate.canPromote();
    }

    @Override
    public void promote(PairContext pair, String member) {
        note("promote asked");
        delegate.promote(pair, member);
        note("promoted");
    }

    @Override
    public ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        return delegate.resyncStatus(pair, standbyMember);
    }

    @Override
    public void resync(PairContext pair, String standbyMember) {
        delegate.resync(pair, standbyMember);
    }

    @Override
    public HealthStatus health(PairContext pair, String member) {
        return delegate.health(pair, member);
    }
}
