package dev.duplex.engine.role;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.RoleController;

/**
 * A role controller that, after its delegate made a member the active (a switchover, a takeover
 * after a demote, or a promotion), runs one more action — such as repointing a service address
 * (a virtual IP, a forwarding proxy) at the new active. The
 * action runs inside the switchover, so it counts in the measured service gap, and a failing
 * action fails the switchover.
 */
public final class AfterSwitchover extends ForwardingRoleController {
    /** What to do once {@code newActiveMember} is the active. */
    @FunctionalInterface
    public interface Action {
        void run(PairContext pair, String newActiveMember);
    }

    private final Action action;

    public AfterSwitchover(RoleController delegate, Action action) {
        super(delegate);
        this.action = requireNonNull(action, "action is null");
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        app.switchover(pair, newActiveMember);
        action.run(pair, newActiveMember);
    }

    @Override
    public void takeOver(PairContext pair, String member) {
        app.takeOver(pair, member);
        action.run(pair, member);
    }

    @Override
    public void promote(PairContext pair, String member) {
        app.promote(pair, member);
        action.run(pair, member);
    }
}
