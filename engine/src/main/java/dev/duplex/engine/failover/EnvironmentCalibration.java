package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envsync.Calibration;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import java.util.List;

/**
 * Measures a VM's environment store ({@link Calibration}: real diff applies and full writes
 * that change its content and change it back, at its own revision) and saves the fitted
 * {@link CostModel} under the VM's name, where failover's chooser finds it when that VM is the
 * standby. Each failover sync to that VM later adds its measured time to the saved model
 * ({@link CostModel#observe}), so the model follows the store.
 */
public final class EnvironmentCalibration {
    private final Inventory inventory;
    private final EnvironmentArchive archive;
    private final EndpointDrivers drivers;
    private final Calibration calibration;

    public EnvironmentCalibration(Inventory inventory, EnvironmentArchive archive, EndpointDrivers drivers) {
        this(inventory, archive, drivers, new Calibration());
    }

    public EnvironmentCalibration(Inventory inventory, EnvironmentArchive archive, EndpointDrivers drivers,
            Calibration calibration) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.archive = requireNonNull(archive, "archive is null");
        this.drivers = requireNonNull(drivers, "drivers is null");
        this.calibration = requireNonNull(calibration, "calibration is null");
    }

    /**
     * Calibrates the store of the VM named {@code target} and saves its model.
     *
     * <p>A fresh standby's store is empty, and an empty store has nothing to measure. Its pair's
     * active has what a failover will write there, though: its latest pushed info. So that info is
     * written in as scratch items at the store's own revision, measured, and removed again, leaving
     * the store as it was (empty, same revision).
     */
    public CostModel calibrate(String target) {
        requireNonNull(target, "target is null");
        VmRecord vm = inventory.vm(target).orElseThrow(() -> new NotInInventoryException("VM", target));
        var member = new PairMember(0, vm);
        EnvironmentStore store = drivers.driver(vm.endpoint()).environment(member.ref());
        EnvironmentSnapshot current = store.read();
        List<EnvironmentItem> scratch = List.of();
        if (current.items().isEmpty()) {
            scratch = sample(target);
            store.write(new EnvironmentUpdate(current.revision(), current.revision(),
                    scratch.stream().<ItemChange>map(ItemChange.Replace::new).toList()));
        }
        CostModel model;
        try {
            model = calibration.measure(store);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("Cannot calibrate the environment store of " + target + ": "
                    + e.getMessage(), e);
        } finally {
            if (!scratch.isEmpty()) {
                store.write(new EnvironmentUpdate(current.revision(), current.revision(),
                        scratch.stream().<ItemChange>map(i -> new ItemChange.Remove(i.name())).toList()));
            }
        }
        archive.saveCalibration(target, model.toMap());
        return model;
    }

    /** The latest pushed info of the active of {@code standby}'s pair: what a failover will write to it. */
    private List<EnvironmentItem> sample(String standby) {
        PairRecord pair = inventory.pairs().stream()
                .filter(p -> p.system0().equals(standby) || p.system1().equals(standby)).findFirst()
                .orElseThrow(() -> new IllegalStateException("Cannot calibrate the environment store of " + standby
                        + ": it is empty and " + standby + " is in no pair whose active's info could be measured instead"));
        String active = pair.active();
        if (active.equals(standby)) {
            throw new IllegalStateException("Cannot calibrate the environment store of " + standby + ": it is empty and it is the "
                    + "active of pair " + pair.name() + "; calibrate the standby, " + pair.standby());
        }
        return archive.latestRevision(active).map(r -> r.snapshot().items()).filter(items -> !items.isEmpty())
                .orElseThrow(() -> new IllegalStateException("Cannot calibrate the environment store of " + standby
                        + ": it is empty and nothing was pushed for " + active + " yet; push the active's info first: "
                        + "duplex env push " + pair.name() + " --item NAME=FILE --revision N"));
    }
}
