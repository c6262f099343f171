package dev.duplex.engine.testing;

import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A role controller that records its calls (each operation and its ordinal) and, when given one,
 * fails the chosen call: refused with nothing done, or done with its answer lost (a request that
 * timed out after the application acted on it).
 */
public final class FaultingRoleController implements RoleController {
    /** How the chosen call fails. */
    public enum Fault { REFUSED, ANSWER_LOST }

    /** One call: the operation and which call of it (1 for the first). */
    public record Call(String operation, int ordinal) {
        @Override
        public String toString() {
            return operation + "#" + ordinal;
        }
    }

    /** The call to fail, and how. */
    public record Injection(Call call, Fault fault) {
        @Override
        public String toString() {
            return fault + " at " + call;
        }
    }

    private final RoleController app;
    private final Optional<Injection> injection;
    private final Map<String, Integer> counts = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private boolean injected;

    public FaultingRoleController(RoleController app, Optional<Injection> injection) {
        this.app = app;
        this.injection = injection;
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public synchronized boolean injected() {
        return injected;
    }

    private <T> T call(String operation, String member, Supplier<T> work) {
        Call call;
        synchronized (this) {
            call = new Call(operation, counts.merge(operation, 1, Integer::sum));
            calls.add(call);
        }
        if (injection.isEmpty() || !injection.get().call().equals(call)) {
            return work.get();
        }
        synchronized (this) {
            injected = true;
        }
        if (injection.get().fault() == Fault.ANSWER_LOST) {
            work.get();
        }
        throw new RoleControllerException(describe(), member, injection.get().fault() == Fault.REFUSED ? "answered HTTP 503"
                : "no answer within 5000 ms (timeout-ms)");
    }

    private void run(String operation, String member, Runnable work) {
        call(operation, member, () -> {
            work.run();
            return null;
        });
    }

    @Override
    public String describe() {
        return app.describe();
    }

    @Override
    public Map<String, Role> roles(PairContext pair) {
        return call("roles", pair.members().get(0).name(), () -> app.roles(pair));
    }

    @Override
    public Role role(PairContext pair, String member) {
        return call("role", member, () -> app.role(pair, member));
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        run("switchover", newActiveMember, () -> app.switchover(pair, newActiveMember));
    }

    @Override
    public boolean canDemote() {
        return app.canDemote();
    }

    @Override
    public Optional<Role> demote(PairContext pair, String member) {
        return call("demote", member, () -> app.demote(pair, member));
    }

    @Override
    public void takeOver(PairContext pair, String member) {
        run("takeOver", member, () -> app.takeOver(pair, member));
    }

    @Override
    public boolean canPromote() {
        return app.canPromote();
    }

    @Override
    public void promote(PairContext pair, String member) {
        run("promote", member, () -> app.promote(pair, member));
    }

    @Override
    public ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        return call("resyncStatus", standbyMember, () -> app.resyncStatus(pair, standbyMember));
    }

    @Override
    public void resync(PairContext pair, String standbyMember) {
        run("resync", standbyMember, () -> app.resync(pair, standbyMember));
    }

    @Override
    public HealthStatus health(PairContext pair, String member) {
        return call("health", member, () -> app.health(pair, member));
    }
}
