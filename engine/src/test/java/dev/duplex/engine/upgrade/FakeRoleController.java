package dev.duplex.engine.upgrade;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The application of a pair, in memory: members answer only while their VM runs, a new image
 * may be marked broken (never healthy), and the standby may lag for a number of polls or forever.
 */
final class FakeRoleController implements RoleController {
    private final HypervisorDriver driver;
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final Set<String> brokenImages = new HashSet<>();
    private int lagPolls;
    private int unreachablePolls;
    private boolean neverInSync;
    private boolean garbage;
    private int switchovers;
    /** Switchovers that moved the ACT role; a repeated one (resumed after the switchover, before its journal) moves nothing. */
    private int roleMoves;

    FakeRoleController(HypervisorDriver driver, String active, String standby) {
        this.driver = driver;
        roles.put(active, Role.ACT);
        roles.put(standby, Role.SBY);
    }

    synchronized void breakImage(String imageName) {
        brokenImages.add(imageName);
    }

    synchronized void repairImage(String imageName) {
        brokenImages.remove(imageName);
    }

    synchronized void lagFor(int polls) {
        lagPolls = polls;
    }

    synchronized void unreachableFor(int polls) {
        unreachablePolls = polls;
    }

    synchronized void neverInSync() {
        neverInSync = true;
    }

    synchronized void failOverTo(String member) {
        roles.replaceAll((name, role) -> name.equals(member) ? Role.ACT : Role.SBY);
    }

    synchronized void setRole(String member, Role role) {
        roles.put(member, role);
    }

    synchronized void inSyncAgain() {
        neverInSync = false;
    }

    synchronized void answerGarbage() {
        garbage = true;
    }

    synchronized int switchovers() {
        return switchovers;
    }

    synchronized int roleMoves() {
        return roleMoves;
    }

    synchronized Map<String, Role> currentRoles() {
        return Map.copyOf(roles);
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public synchronized Map<String, Role> roles(PairContext pair) {
        if (garbage) {
            throw new RoleControllerException(describe(), pair.members().get(0).name(), "answered 'hello' where ACT or SBY was expected");
        }
        Map<String, Role> answer = new LinkedHashMap<>();
        for (PairContext.Member member : pair.members()) {
            requireRunning(member);
            answer.put(member.name(), roles.get(member.name()));
        }
        return answer;
    }

    /** Asks that member only, as the SPI says: its peer may be down. */
    @Override
    public synchronized Role role(PairContext pair, String member) {
        return roles(new PairContext(pair.pair(), List.of(pair.member(member)), pair.settings())).get(member);
    }

    @Override
    public synchronized void switchover(PairContext pair, String newActiveMember) {
        requireRunning(pair.member(newActiveMember));
        if (roles.get(newActiveMember) != Role.ACT) {
            roleMoves++;
        }
        roles.put(newActiveMember, Role.ACT);
        roles.put(pair.peer(newActiveMember).name(), Role.SBY);
        switchovers++;
    }

    @Override
    public synchronized ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        requireRunning(pair.member(standbyMember));
        if (unreachablePolls > 0) {
            unreachablePolls--;
            throw new RoleControllerException(describe(), standbyMember, "connection refused (still starting)");
        }
        if (neverInSync) {
            return ResyncStatus.lagging(42);
        }
        if (lagPolls > 0) {
            return ResyncStatus.lagging(lagPolls--);
        }
        return ResyncStatus.inSync();
    }

    @Override
    public synchronized HealthStatus health(PairContext pair, String member) {
        PairContext.Member m = pair.member(member);
        VmInfo vm;
        try {
            vm = driver.describeVm(new VmRef(m.driverRef(), m.name()));
        } catch (RuntimeException e) {
            return HealthStatus.unhealthy("no VM");
        }
        if (vm.state() != VmState.RUNNING) {
            return HealthStatus.unhealthy("VM is " + vm.state());
        }
        if (brokenImages.contains(vm.image().name())) {
            return HealthStatus.unhealthy("status error: the new software cannot open its database");
        }
        String version = driver.listImages().stream().filter(i -> i.image().id().equals(vm.image().id())).map(ImageInfo::softwareVersion)
                .findFirst().orElse("?");
        return new HealthStatus(true, java.util.Optional.of(version), "status ok");
    }

    private void requireRunning(PairContext.Member member) {
        VmState state;
        try {
            state = driver.state(new VmRef(member.driverRef(), member.name()));
        } catch (RuntimeException e) {
            state = VmState.STOPPED;
        }
        if (state != VmState.RUNNING) {
            throw new RoleControllerException(describe(), member.name(), "connection refused (its VM is " + state + ")");
        }
    }
}
