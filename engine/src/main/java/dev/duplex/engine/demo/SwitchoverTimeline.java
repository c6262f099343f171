package dev.duplex.engine.demo;

import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.engine.role.ForwardingRoleController;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Notes when each role change of a switchover was asked and answered, so the demo can say where
 * the client's longest gap went (demote, takeover, repointing the service address, the client).
 */
final class SwitchoverTimeline extends ForwardingRoleController {
    private record Event(Instant at, String what) {}

    private final List<Event> events = new ArrayList<>();

    SwitchoverTimeline(RoleController delegate) {
        super(delegate);
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
    public void switchover(PairContext pair, String newActiveMember) {
        note("switchover asked");
        app.switchover(pair, newActiveMember);
        note("switchover done");
    }

    @Override
    public java.util.Optional<Role> demote(PairContext pair, String member) {
        note("demote asked");
        java.util.Optional<Role> stated = app.demote(pair, member);
        note("demoted");
        return stated;
    }

    @Override
    public void takeOver(PairContext pair, String member) {
        note("takeover asked");
        app.takeOver(pair, member);
        note("took over");
    }

    @Override
    public void promote(PairContext pair, String member) {
        note("promote asked");
        app.promote(pair, member);
        note("promoted");
    }
}
