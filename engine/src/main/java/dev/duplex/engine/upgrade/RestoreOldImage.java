package dev.duplex.engine.upgrade;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.engine.inventory.VmRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brings a member back on its old image with the SAME volumes: stops and deletes the VM this job
 * created for it (refusing to stop it when its peer is not running), re-creates the old VM from
 * the definition journaled in the job's parameters (or finds it, if it still exists), points
 * the inventory back at it, starts it and checks its health. Used after a failed health check
 * and by rollback. Deletes no volume: a {@code snapshot-copy} volume stays, recorded in the inventory.
 * Before the old image starts, the member's volumes are restored from the job's safety snapshots
 * where it has them ({@link SafetySnapshots#restore}).
 */
final class RestoreOldImage implements UpgradeStep {
    private final StepInfo info;
    private final String member;

    RestoreOldImage(StepInfo info, String member) {
        this.info = info;
        this.member = member;
    }

    @Override
    public StepInfo info() {
        return info;
    }

    @Override
    public Map<String, String> run(UpgradeRun run) {
        UpgradeJob job = run.job();
        MemberBefore before = job.member(member);
        HypervisorDriver driver = run.driver(member);
        Map<String, String> outputs = new LinkedHashMap<>();

        Optional<VmInfo> newVm = run.findVmByName(member, job.newVmName(member));
        if (newVm.isPresent()) {
            VmState state = newVm.get().state();
            if (state != VmState.STOPPED && state != VmState.CRASHED) {
                if (job.isPair()) {
                    String peer = run.peerOf(member);
                    VmState peerState = run.state(peer);
                    if (peerState != VmState.RUNNING) {
                        throw new StepFailure.LastRunningMember("Refusing to stop the new VM of " + member + " of pair " + job.pair()
                                + ": its peer " + peer + " is " + peerState + ", so the pair would have no member running."
                                + " Start " + peer + " first, then resume.");
                    }
                }
                driver.stop(newVm.get().vm(), StopMode.FORCE);
            }
            // The failed VM's console is the evidence of why it failed: keep it with the job before the VM goes.
            List<String> console = consoleOf(driver, newVm.get().vm());
            if (!console.isEmpty()) {
                outputs.put(UpgradeReport.FAILED_VM_CONSOLE, String.join("\n", console));
            }
        }

        // What the new VM's environment holds now (its firmware settings may have changed) goes back with it.
        Optional<EnvironmentSnapshot> kept = LinkNewImage.keepEnvironment(run, driver, info.id() + "." + member, newVm.map(VmInfo::vm));
        if (newVm.isPresent()) {
            driver.deleteVm(newVm.get().vm());
            outputs.put("deleted-vm", newVm.get().vm().id());
        }

        ImageRef oldImage = new ImageRef(before.imageRef(), before.image());
        Optional<VmInfo> oldVm = run.findVmById(member, before.vmRef())
                .or(() -> run.findVmByName(member, before.vmName()).filter(vm -> vm.image().id().equals(before.imageRef())));
        // The new version may have changed the data: the old image starts on the data as it was before it.
        // An old VM running already was started by an earlier run of this step, after its restore.
        if (oldVm.isPresent() && oldVm.get().state() == VmState.RUNNING) {
            outputs.put("data-restored", "before " + oldVm.get().vm() + " was started again (an earlier run of this step)");
        } else {
            outputs.putAll(SafetySnapshots.restore(run, member));
        }
        VmRecord record = run.vmRecord(member);
        VmRef restored;
        if (oldVm.isPresent()) {
            restored = oldVm.get().vm();
            outputs.put("reused", "true");
        } else {
            List<VolumeLink> links = before.links().stream().map(run::driverLink).toList();
            restored = driver.createVm(new VmSpec(before.vmName(), oldImage, links, record.properties()));
        }
        kept.ifPresent(snapshot -> outputs.put("environment-revision",
                Long.toString(LinkNewImage.writeEnvironment(driver, snapshot, restored))));
        run.updateVm(new VmRecord(member, before.endpoint(), restored.id(), before.image(), before.links(), record.properties()));
        outputs.put("vm-ref", restored.id());
        outputs.put("image", before.image());

        outputs.putAll(new StartAndCheck(info, member, before.image()).run(run));
        return outputs;
    }

    private static final int CONSOLE_LINES = 40;

    private static List<String> consoleOf(HypervisorDriver driver, VmRef vm) {
        try {
            return driver.consoleTail(vm, CONSOLE_LINES);
        } catch (RuntimeException e) {
            return List.of("(its console could not be read: " + e.getMessage() + ")");
        }
    }
}
