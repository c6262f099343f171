package dev.duplex.engine.role;

import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import java.util.Map;
import java.util.Optional;

/**
 * A role controller that passes every call to another, for decorators that change a few of them
 * (an action after a switchover, a timeline of role changes, faults in tests).
 */
public abstract class ForwardingRoleController implements RoleController {
    /** The controller every call goes to unless overridden. */
    protected final RoleController app;

    protected ForwardingRoleController(RoleController app) {
        this.app = java.util.Objects.requireNonNull(app, "app is null");
    }

    @Override
    public String describe() {
        return app.describe();
    }

    @Override
    public Map<String, Role> roles(PairContext pair) {
        return app.roles(pair);
    }

    @Override
    public Role role(PairContext pair, String member) {
        return app.role(pair, member);
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        app.switchover(pair, newActiveMember);
    }

    @Override
    public boolean canDemote() {
        return app.canDemote();
    }

    @Override
    public Optional<Role> demote(PairContext pair, String member) {
        return app.demote(pair, member);
    }

    @Override
    public void takeOver(PairContext pair, String member) {
        app.takeOver(pair, member);
    }

    @Override
    public boolean canPromote() {
        return app.canPromote();
    }

    @Override
    public void promote(PairContext pair, String member) {
        app.promote(pair, member);
    }

    @Override
    public ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        return app.resyncStatus(pair, standbyMember);
    }

    @Override
    public void resync(PairContext pair, String standbyMember) {
        app.resync(pair, standbyMember);
    }

    @Override
    public HealthStatus health(PairContext pair, String member) {
        return app.health(pair, member);
    }
}
