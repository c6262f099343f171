package dev.duplex.engine.upgrade;

import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import java.util.Map;

/**
 * The health check of a single VM upgraded without a role controller: healthy means the
 * platform reports it running. It has no roles and no resync.
 */
final class RunningVmHealth implements RoleController {
    private final Drivers drivers;

    RunningVmHealth(Drivers drivers) {
        this.drivers = drivers;
    }

    @Override
    public String describe() {
        return "vm-running";
    }

    @Override
    public Map<String, Role> roles(PairContext pair) {
        throw new RoleControllerException(describe(), null, "a single VM has no roles");
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        throw new RoleControllerException(describe(), newActiveMember, "a single VM cannot switch over");
    }

    @Override
    public ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        return ResyncStatus.inSync();
    }

    @Override
    public HealthStatus health(PairContext pair, String member) {
        PairContext.Member m = pair.member(member);
        VmState state = drivers.driver(m.endpoint()).state(new VmRef(m.driverRef(), m.name()));
        return state == VmState.RUNNING ? HealthStatus.healthy("VM is running") : HealthStatus.unhealthy("VM is " + state);
    }
}
