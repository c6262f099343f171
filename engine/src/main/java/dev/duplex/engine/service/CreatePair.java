package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.inventory.StandbyKind;
import java.util.Map;

/**
 * A request to pair two VMs.
 *
 * @param name its name
 * @param system0 the VM of system 0
 * @param system1 the VM of system 1
 * @param activeSystem which system is active now: 0 or 1
 * @param standbyKind hot or cold standby
 * @param roleController role-controller settings
 * @param resyncGate resync gate settings
 */
public record CreatePair(String name, String system0, String system1, int activeSystem, StandbyKind standbyKind,
        Map<String, String> roleController, Map<String, String> resyncGate) {
    public CreatePair {
        requireNonNull(name, "name is null");
        requireNonNull(system0, "system0 is null");
        requireNonNull(system1, "system1 is null");
        requireNonNull(standbyKind, "standbyKind is null");
        roleController = Map.copyOf(requireNonNull(roleController, "roleController is null"));
        resyncGate = Map.copyOf(requireNonNull(resyncGate, "resyncGate is null"));
    }
}
