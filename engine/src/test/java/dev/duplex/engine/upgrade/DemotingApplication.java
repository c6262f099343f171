package dev.duplex.engine.upgrade;

import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pair's application with a role controller that can demote the active alone, in one of three
 * ways: it steps down to SBY; it stops serving (as a PostgreSQL primary stopped with {@code pg_ctl
 * stop} does: no writes, no answer either); or the demote fails and the member stays ACT. It
 * notes every moment a member was made active while its peer still took writes.
 */
final class DemotingApplication implements RoleController {
    enum Demote { TO_SBY, STOPS_SERVING, FAILS }

    private final FakeRoleController app;
    private final FakeDriver driver;
    private final Demote how;
    private final Set<String> notServing = new HashSet<>(); // VM ids whose service was stopped by a demote
    private final List<String> calls = new ArrayList<>();
    private final List<String> bothTookWrites = new ArrayList<>();

    DemotingApplication(FakeRoleController app, FakeDriver driver, Demote how) {
        this.app = app;
        this.driver = driver;
        this.how = how;
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized List<String> bothTookWrites() {
        return List.copyOf(bothTookWrites);
    }

    @Override
    public String describe() {
        return "demoting";
    }

    @Override
    public synchronized Map<String, Role> roles(PairContext pair) {
        for (PairContext.Member member : pair.members()) {
            requireServing(member);
        }
        return app.roles(pair);
    }

    @Override
    public synchronized Role role(PairContext pair, String member) {
        PairContext.Member m = pair.member(member);
        requireServing(m);
        return app.roles(new PairContext(pair.pair(), List.of(m), pair.settings())).get(member);
    }

    @Override
    public synchronized void switchover(PairContext pair, String newActiveMember) {
        calls.add("switchover " + newActiveMember);
        app.switchover(pair, newActiveMember);
    }

    @Override
    public boolean canDemote() {
        return true;
    }

    @Override
    public synchronized java.util.Optional<Role> demote(PairContext pair, String member) {
        calls.add("demote " + member);
        PairContext.Member m = pair.member(member);
        requireServing(m);
        switch (how) {
            case TO_SBY -> app.setRole(member, Role.SBY);
            case STOPS_SERVING -> notServing.add(m.driverRef());
            case FAILS -> throw new RoleControllerException(describe(), member, "the application refused to step down");
        }
        return java.util.Optional.empty();
    }

    @Override
    public synchronized void takeOver(PairContext pair, String member) {
        calls.add("takeOver " + member);
        checkPeerTakesNoWrites(pair, member);
        app.setRole(member, Role.ACT);
    }

    @Override
    public boolean canPromote() {
        return true;
    }

    @Override
    public synchronized void promote(PairContext pair, String member) {
        calls.add("promote " + member);
        checkPeerTakesNoWrites(pair, member);
        app.failOverTo(member); // the stopped peer comes back as SBY
    }

    @Override
    public synchronized ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        return app.resyncStatus(pair, standbyMember);
    }

    @Override
    public synchronized HealthStatus health(PairContext pair, String member) {
        return app.health(pair, member);
    }

    private void checkPeerTakesNoWrites(PairContext pair, String member) {
        PairContext.Member peer = pair.peer(member);
        boolean running = driver.state(new VmRef(peer.driverRef(), peer.name())) == VmState.RUNNING;
        if (running && !notServing.contains(peer.driverRef()) && app.currentRoles().get(peer.name()) == Role.ACT) {
            bothTookWrites.add(member + " made active while " + peer.name() + " still took writes");
        }
    }

    private void requireServing(PairContext.Member member) {
        if (notServing.contains(member.driverRef())) {
            throw new RoleControllerException(describe(), member.name(), "connection refused (its service was stopped)");
        }
    }
}
