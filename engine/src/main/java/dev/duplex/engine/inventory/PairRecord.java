package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;
import java.util.Map;

/**
 * An ACT/SBY pair: system 0 and system 1, one of them active.
 *
 * @param name unique name, following {@link ObjectName}
 * @param system0 the VM of system 0
 * @param system1 the VM of system 1
 * @param activeSystem 0 or 1
 * @param standbyKind hot or cold standby
 * @param roleController role-controller settings ({@code type=exec|http}, commands, URLs)
 * @param resyncGate resync gate settings ({@code timeout-ms}, {@code poll-ms})
 */
public record PairRecord(String name, String system0, String system1, int activeSystem, StandbyKind standbyKind,
        Map<String, String> roleController, Map<String, String> resyncGate) {
    public PairRecord {
        ObjectName.check("pair", requireNonNull(name, "name is null"));
        ObjectName.check("VM", requireNonNull(system0, "system0 is null"));
        ObjectName.check("VM", requireNonNull(system1, "system1 is null"));
        requireNonNull(standbyKind, "standbyKind is null");
        roleController = Map.copyOf(requireNonNull(roleController, "roleController is null"));
        resyncGate = Map.copyOf(requireNonNull(resyncGate, "resyncGate is null"));
        if (activeSystem != 0 && activeSystem != 1) {
            throw new IllegalArgumentException("active system must be 0 or 1: " + activeSystem);
        }
        if (system0.equals(system1)) {
            throw new IllegalArgumentException("pair " + name + " has the same VM on both sides: " + system0);
        }
    }

    /** The VM of system 0 or 1. */
    public String member(int system) {
        return system == 0 ? system0 : system1;
    }

    public String active() {
        return member(activeSystem);
    }

    public String standby() {
        return member(1 - activeSystem);
    }

    public PairRecord withActiveSystem(int system) {
        return new PairRecord(name, system0, system1, system, standbyKind, roleController, resyncGate);
    }
}
