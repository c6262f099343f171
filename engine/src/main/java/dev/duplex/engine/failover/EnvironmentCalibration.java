package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envsync.Calibration;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.VmRecord;

/**
 * Measures a VM's environment store ({@link Calibration}: real writes that leave its content
 * and revision unchanged) and saves the fitted {@link CostModel} under the VM's name, where
 * failover's chooser finds it when that VM is the standby.
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

    /** Calibrates the store of the VM named {@code target} and saves its model. */
    public CostModel calibrate(String target) {
        requireNonNull(target, "target is null");
        VmRecord vm = inventory.vm(target).orElseThrow(() -> new NotInInventoryException("VM", target));
        var member = new PairMember(0, vm);
        CostModel model;
        try {
            model = calibration.measure(drivers.driver(vm.endpoint()).environment(member.ref()));
        } catch (IllegalStateException e) {
            throw new IllegalStateException("Cannot calibrate the environment store of " + target + ": "
                    + e.getMessage(), e);
        }
        archive.saveCalibration(target, model.toMap());
        return model;
    }
}
