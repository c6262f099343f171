package dev.duplex.engine.upgrade;

import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmState;
import dev.duplex.api.role.Role;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * S21/S26 (S11 for a single VM): stops a member's VM. Refuses when the member's peer is not
 * running, so Duplex never leaves a pair with both members stopped, and when the member does not
 * report SBY (the pair failed over meanwhile). Stopping a stopped VM does nothing.
 */
final class StopMember implements UpgradeStep {
    private final StepInfo info;
    private final String member;
    private final Optional<String> peer;

    StopMember(StepInfo info, String member, Optional<String> peer) {
        this.info = info;
        this.member = member;
        this.peer = peer;
    }

    @Override
    public StepInfo info() {
        return info;
    }

    @Override
    public Map<String, String> run(UpgradeRun run) {
        Map<String, String> outputs = new LinkedHashMap<>();
        Optional<VmInfo> vm = run.currentVm(member);
        if (vm.isEmpty() || vm.get().state() == VmState.STOPPED) {
            outputs.put("already-stopped", "true");
            return outputs;
        }
        if (peer.isPresent()) {
            VmState peerState = run.state(peer.get());
            if (peerState != VmState.RUNNING) {
                throw new StepFailure.LastRunningMember("Refusing to stop " + member + " of pair " + run.job().pair()
                        + ": its peer " + peer.get() + " is " + peerState + ", so the pair would have no member running."
                        + " Start " + peer.get() + " first (or fail over to it), then resume.");
            }
        }
        if (peer.isPresent()) {
            Role role = run.roleController().roles(run.pairContext()).get(member);
            if (role != Role.SBY) {
                throw new StepFailure("Refusing to stop " + member + " of pair " + run.job().pair() + ": it reports role " + role
                        + ", not SBY (did the pair fail over meanwhile?). Check the pair, then resume or roll back job #"
                        + run.job().id() + ".");
            }
        }
        run.driver(member).stop(vm.get().vm(), StopMode.GRACEFUL);
        outputs.put("vm-ref", vm.get().vm().id());
        return outputs;
    }
}
