package dev.duplex.engine.upgrade;

import dev.duplex.api.ItemChange;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.Capability;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeCopy;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * S22/S27 (S12): the new image gets the link to the member's database volume. Deletes the
 * member's old, stopped VM (its definition is in the job's parameters), creates the new VM from
 * the new image with links to the SAME volumes (or, for {@code snapshot-copy}, to fresh copies of
 * them), and points the member's inventory record at it. A VM already created under the job's
 * name is reused, and so is a copy volume the inventory recorded (see {@link #copyOf}). Under
 * {@code link} and {@code copy-at-boot} it first takes the member's safety snapshots ({@link SafetySnapshots}).
 */
final class LinkNewImage implements UpgradeStep {
    private final StepInfo info;
    private final String member;

    LinkNewImage(StepInfo info, String member) {
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
        ImageRecord newImage = run.image(job.targetImages().get(before.system()));
        ImageRef newImageRef = new ImageRef(newImage.driverRef(), newImage.name());
        String newVmName = job.newVmName(member);
        Map<String, String> outputs = new LinkedHashMap<>();
        VmRecord record = run.vmRecord(member);

        Optional<VmInfo> existing = run.findVmByName(member, newVmName);
        // Before the new version can touch the database: the old VM is stopped, the new one not started.
        outputs.putAll(SafetySnapshots.take(run, member));
        List<LinkRecord> links = new ArrayList<>();
        if (job.strategy().copiesVolume()) {
            long copied = 0;
            long started = System.nanoTime();
            for (LinkRecord link : before.links()) {
                VolumeCopy copy = copyOf(run, driver, link.volume(), existing.isPresent());
                copied += copy.bytes();
                links.add(new LinkRecord(job.copyVolumeName(link.volume()), link.mountPath(), VolumeLink.Mode.MOUNT_AT_BOOT));
                outputs.put("copy-volume." + link.volume(), job.copyVolumeName(link.volume()));
            }
            outputs.put("bytes-copied", Long.toString(copied));
            outputs.put("copy-ms", Long.toString((System.nanoTime() - started) / 1_000_000));
        } else {
            for (LinkRecord link : before.links()) {
                links.add(new LinkRecord(link.volume(), link.mountPath(), job.strategy().linkMode()));
            }
        }

        VmRef newVm;
        if (existing.isPresent()) {
            if (!existing.get().image().id().equals(newImageRef.id())) {
                throw new StepFailure("VM " + existing.get().vm() + " on endpoint " + before.endpoint() + " has the name this job gives "
                        + member + "'s new VM, but runs image " + existing.get().image() + ", not " + newImageRef
                        + ". Remove or rename it, then resume job #" + job.id() + ".");
            }
            newVm = existing.get().vm();
            outputs.put("reused", "true");
            // An earlier run created the VM and may have died before it wrote the kept info into it.
            Optional<EnvironmentSnapshot> kept = run.keptEnvironment().kept(info.id() + "." + member);
            VmRef created = newVm;
            kept.ifPresent(snapshot -> outputs.put("environment-revision", Long.toString(writeEnvironment(driver, snapshot, created))));
        } else {
            // The new VM starts with the old one's operating-environment info (firmware settings and
            // its revision). Platforms link a volume to one VM at a time, so the old VM goes first;
            // its info is journaled before, so a crash between the delete and the write loses nothing.
            Optional<EnvironmentSnapshot> kept = keepEnvironment(run, driver, info.id() + "." + member,
                    run.findVmById(member, before.vmRef()).map(VmInfo::vm));
            deleteOldVm(run, driver, before);
            List<VolumeLink> driverLinks = links.stream().map(run::driverLink).toList();
            newVm = driver.createVm(new VmSpec(newVmName, newImageRef, driverLinks, record.properties()));
            VmRef created = newVm;
            kept.ifPresent(snapshot -> outputs.put("environment-revision", Long.toString(writeEnvironment(driver, snapshot, created))));
        }
        run.updateVm(new VmRecord(member, record.endpoint(), newVm.id(), newImage.name(), links, record.properties()));
        outputs.put("vm-ref", newVm.id());
        outputs.put("vm-name", newVm.name());
        outputs.put("image", newImage.name());
        return outputs;
    }

    /** The old VM must be stopped by now (S21/S26 did it); it goes, its volumes stay. */
    private void deleteOldVm(UpgradeRun run, HypervisorDriver driver, MemberBefore before) {
        Optional<VmInfo> old = run.findVmById(member, before.vmRef());
        if (old.isEmpty()) {
            return;
        }
        if (old.get().state() != VmState.STOPPED && old.get().state() != VmState.CRASHED) {
            throw new StepFailure("The old VM " + old.get().vm() + " of " + member + " is " + old.get().state()
                    + " where the job expected it stopped; something started it meanwhile. Stop it or roll back job #"
                    + run.job().id() + ".");
        }
        driver.deleteVm(old.get().vm());
    }

    /**
     * The info to carry into the VM that replaces {@code vm}: what an earlier run of the step kept
     * in the journal, else what {@code vm} holds now, journaled before the caller deletes it.
     */
    static Optional<EnvironmentSnapshot> keepEnvironment(UpgradeRun run, HypervisorDriver driver, String key, Optional<VmRef> vm) {
        Optional<EnvironmentSnapshot> kept = run.keptEnvironment().kept(key);
        if (kept.isPresent()) {
            return kept;
        }
        Optional<EnvironmentSnapshot> now = environmentOf(driver, vm);
        now.ifPresent(snapshot -> run.keptEnvironment().keep(key, snapshot));
        return now;
    }

    /** The environment info of {@code vm}, when the driver keeps one and the VM still exists. */
    static Optional<EnvironmentSnapshot> environmentOf(HypervisorDriver driver, Optional<VmRef> vm) {
        if (vm.isEmpty() || !driver.capabilities().supports(Capability.ENVIRONMENT_STORE)) {
            return Optional.empty();
        }
        return Optional.of(driver.environment(vm.get()).read());
    }

    /** Writes {@code kept} (items and revision) into the store of {@code vm}, replacing what it holds; returns the revision. */
    static long writeEnvironment(HypervisorDriver driver, EnvironmentSnapshot kept, VmRef vm) {
        EnvironmentStore target = driver.environment(vm);
        EnvironmentSnapshot fresh = target.read();
        if (fresh.revision() == kept.revision() && fresh.items().equals(kept.items())) {
            return kept.revision();
        }
        List<ItemChange> changes = new ArrayList<>();
        kept.items().forEach(item -> changes.add(new ItemChange.Replace(item)));
        fresh.items().stream().filter(item -> kept.item(item.name()).isEmpty())
                .forEach(item -> changes.add(new ItemChange.Remove(item.name())));
        target.write(new EnvironmentUpdate(fresh.revision(), kept.revision(), changes));
        return kept.revision();
    }


    /**
     * The copy volume of a member's volume: made with the driver's {@code cloneVolume} (a storage-side
     * clone where the platform has one, which gives the copy an id of its own: the inventory records
     * the id the driver returned) and recorded in the inventory once it is whole. On a resume, a copy
     * the inventory recorded is reused as it is; a copy on the platform that the inventory does not
     * know was left by a run that stopped while copying, so its content may be partial: the step
     * refuses it instead of guessing (it never deletes a volume).
     */
    private VolumeCopy copyOf(UpgradeRun run, HypervisorDriver driver, String volumeName, boolean newVmExists) {
        UpgradeJob job = run.job();
        VolumeRecord original = run.volume(volumeName);
        String copyName = job.copyVolumeName(volumeName);
        Optional<VolumeInfo> found = driver.listVolumes().stream().filter(v -> v.volume().name().equals(copyName)).findFirst();
        Optional<VolumeRecord> recorded = run.inventory().volume(copyName);
        if (found.isPresent()) {
            if (recorded.isPresent() && recorded.get().driverRef().equals(found.get().volume().id())) {
                return new VolumeCopy(found.get().volume(), 0);
            }
            throw new StepFailure("Copy volume " + found.get().volume() + " of " + member + " on endpoint " + original.endpoint()
                    + " was left by a run of job #" + job.id() + " that stopped while copying " + volumeName
                    + ", so it may be incomplete. Delete it on the endpoint (the original " + volumeName
                    + " is untouched), then resume job #" + job.id() + ".");
        }
        if (newVmExists) {
            throw new StepFailure("The new VM of " + member + " exists but its copy volume " + copyName + " does not");
        }
        if (!driver.capabilities().supports(Capability.VOLUME_COPY)) {
            throw new StepFailure("Endpoint " + original.endpoint() + " cannot copy volumes");
        }
        VolumeCopy copy = driver.cloneVolume(new VolumeRef(original.driverRef(), original.name()),
                new VolumeSpec(copyName, original.sizeBytes(), original.purpose(), Map.of()),
                (done, total) -> {
                    run.listener().copyProgress(job.id(), info, done, total);
                    run.heartbeat();
                });
        VolumeRecord record = new VolumeRecord(copyName, original.endpoint(), copy.volume().id(), original.sizeBytes(),
                original.purpose());
        // recorded by an earlier run whose copy is gone from the platform: the new copy replaces it
        run.addVolume(record, recorded.isPresent());
        return copy;
    }
}
