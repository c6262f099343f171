package dev.duplex.engine.role;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import java.util.Map;

/**
 * A role controller that, after its delegate made a member the active (a switchover, a takeover
 * after a demote, or a promotion), runs one more action — such as repointing a service address
 * (a virtual IP, a forwarding proxy) at the new active. The
 * action runs inside the switchover, so it counts in the measured service gap, and a failing
 * action fails the switchover.
 */
public final class AfterSwitchover implements RoleController {
    /** What to do once {@code newActiveMember} is the active. */
    @FunctionalInterface
    public interface Action {
        void run(PairContext pair, String newActiveMember);
    }

    private final RoleController delegate;
    private final Action action;

    public AfterSwitchover(RoleController delegate, Action action) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.action = requireNonNull(action, "action is null");
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
    public void switchover(PairContext pair, String newActiveMember) {
        delegate.switchover(pair, newActiveMember);
        action.run(pair, newActiveMember);
    }

    @Override
    public boolean canDemote() {
        return delegate.canDemote();
    }

    @Override
    public java.util.Optional<Role> demote(PairContext pair, String member) {
        return delegate.demote(pair, member);
    }

    @Override
    public void takeOver(PairContext pair, String member) {
        delegate.takeOver(pair, member);
        action.run(pair, member);
    }

    @Override
    public boolean canPromote() {
        return delegate.canPromote();
    }

    @Override
    public void promote(PairContext pair, String member) {
        delegate.promote(pair, member);
        action.run(pair, member);
    }

    @Override
    public Role role(PairContext pair, String member) {
        return delegate.role(pair, member);
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
