package dev.duplex.bench.fleet;

import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every pair's application: answers roles at once, switches over in a configured time, always in sync and healthy. */
final class SimulatedApplication implements RoleController {
    private final Duration switchover;
    private final SimulatedPlatform.SimulatedTime time;
    private final Map<String, String> activeByPair = new ConcurrentHashMap<>();

    SimulatedApplication(Duration switchover, SimulatedPlatform.SimulatedTime time) {
        this.switchover = switchover;
        this.time = time;
    }

    @Override
    public String describe() {
        return "simulated";
    }

    @Override
    public Map<String, Role> roles(PairContext pair) {
        String active = activeByPair.computeIfAbsent(pair.pair(), p -> pair.members().get(0).name());
        Map<String, Role> roles = new LinkedHashMap<>();
        for (PairContext.Member member : pair.members()) {
            roles.put(member.name(), member.name().equals(active) ? Role.ACT : Role.SBY);
        }
        return roles;
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        time.spend(pair.pair(), switchover);
        activeByPair.put(pair.pair(), newActiveMember);
    }

    @Override
    public ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        return ResyncStatus.inSync();
    }

    @Override
    public HealthStatus health(PairContext pair, String member) {
        return HealthStatus.healthy("simulated");
    }
}
