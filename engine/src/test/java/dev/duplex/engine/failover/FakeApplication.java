package dev.duplex.engine.failover;

import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application of the failover tests' pair, as its role controller sees it: a member is
 * healthy while its VM runs on the {@link FakeDriver}, starts as SBY, and serves as ACT once
 * promoted. It can be told to refuse promotion, or to stay SBY when promoted.
 */
class FakeApplication implements RoleController {
    private final FakeDriver driver;
    private final Map<String, Role> roles = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private boolean refusePromotion;
    private boolean ignorePromotion;
    private boolean losePromoteAnswer;
    private int bootingPolls;

    FakeApplication(FakeDriver driver) {
        this.driver = driver;
    }

    synchronized void refusePromotion() {
        refusePromotion = true;
    }

    synchronized void acceptPromotionAgain() {
        refusePromotion = false;
        ignorePromotion = false;
    }

    /** The next promotion takes effect, but its answer is lost: the controller reports a timeout. */
    synchronized void loseNextPromoteAnswer() {
        losePromoteAnswer = true;
    }

    synchronized void ignorePromotion() {
        ignorePromotion = true;
    }

    /** The next {@code polls} health checks of a running member answer "503 starting": its service is still booting. */
    synchronized void bootingFor(int polls) {
        bootingPolls = polls;
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized Role roleOf(String member) {
        return roles.getOrDefault(member, Role.SBY);
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public boolean canPromote() {
        return true;
    }

    @Override
    public synchronized Map<String, Role> roles(PairContext pair) {
        Map<String, Role> all = new LinkedHashMap<>();
        pair.members().forEach(m -> all.put(m.name(), role(pair, m.name())));
        return all;
    }

    @Override
    public synchronized Role role(PairContext pair, String member) {
        calls.add("role " + member);
        requireRunning(pair, member);
        return roleOf(member);
    }

    @Override
    public synchronized void promote(PairContext pair, String member) {
        calls.add("promote " + member);
        requireRunning(pair, member);
        if (refusePromotion) {
            throw new RoleControllerException(describe(), member, "POST /role?to=ACT answered HTTP 500");
        }
        if (!ignorePromotion) {
            roles.put(member, Role.ACT);
        }
        if (losePromoteAnswer) {
            losePromoteAnswer = false;
            throw new RoleControllerException(describe(), member, "no answer within 5000 ms (timeout-ms)");
        }
    }

    @Override
    public synchronized HealthStatus health(PairContext pair, String member) {
        calls.add("health " + member);
        if (bootingPolls > 0 && running(pair, member)) {
            bootingPolls--;
            return HealthStatus.unhealthy("503 starting");
        }
        return running(pair, member) ? HealthStatus.healthy("running") : HealthStatus.unhealthy("not running");
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        throw new UnsupportedOperationException("a failover never switches over");
    }

    @Override
    public dev.duplex.api.role.ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        throw new UnsupportedOperationException("a failover never resyncs");
    }

    private boolean running(PairContext pair, String member) {
        PairContext.Member m = pair.member(member);
        return driver.state(new VmRef(m.driverRef(), m.name())) == VmState.RUNNING;
    }

    private void requireRunning(PairContext pair, String member) {
        if (!running(pair, member)) {
            throw new RoleControllerException(describe(), member, "connection refused");
        }
    }
}
