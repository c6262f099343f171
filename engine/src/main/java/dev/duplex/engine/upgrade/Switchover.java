package dev.duplex.engine.upgrade;

import dev.duplex.api.VmState;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleControllerException;
import dev.duplex.engine.inventory.PairRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * S25: switches the pair over so that {@code newActive} (already upgraded, in sync) becomes ACT
 * and its peer SBY — the only service gap of the upgrade. Already switched (a resumed job): only
 * the inventory is brought in line. Then records the new active system in the inventory.
 */
final class Switchover implements UpgradeStep {
    private final StepInfo info;
    private final String newActive;

    Switchover(StepInfo info, String newActive) {
        this.info = info;
        this.newActive = newActive;
    }

    @Override
    public StepInfo info() {
        return info;
    }

    @Override
    public Map<String, String> run(UpgradeRun run) {
        Map<String, String> outputs = new LinkedHashMap<>();
        String oldActive = run.peerOf(newActive);
        Map<String, Role> roles = run.roleController().roles(run.pairContext());
        if (roles.get(newActive) == Role.ACT && roles.get(oldActive) == Role.SBY) {
            // switched already (the orchestrator died after the switchover): switch again anyway, which the
            // SPI makes harmless, so that an action composed after it (repointing a service address) runs too
            outputs.put("already-switched", "true");
        }
        VmState newState = run.state(newActive);
        if (newState != VmState.RUNNING) {
            throw new StepFailure("Refusing to switch pair " + run.job().pair() + " over to " + newActive + ": it is " + newState);
        }
        long started = System.nanoTime();
        run.roleController().switchover(run.pairContext(), newActive);
        outputs.put("switchover-ms", Long.toString((System.nanoTime() - started) / 1_000_000));
        Map<String, Role> after = run.roleController().roles(run.pairContext());
        if (after.get(newActive) != Role.ACT || after.get(oldActive) != Role.SBY) {
            throw new RoleControllerException(run.roleController().describe(), newActive, "after the switchover the members report "
                    + after + ", expected " + newActive + "=ACT and " + oldActive + "=SBY");
        }
        PairRecord pair = run.pair().orElseThrow();
        int system = run.job().member(newActive).system();
        if (pair.activeSystem() != system) {
            run.inventory().setActiveSystem(pair.name(), system);
        }
        outputs.put("active", newActive);
        return outputs;
    }
}
