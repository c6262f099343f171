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
 * @param resyncGate resync gate settings, each a number of milliseconds: {@link #RESYNC_GATE_SETTINGS}
 */
public record PairRecord(String name, String system0, String system1, int activeSystem, StandbyKind standbyKind,
        Map<String, String> roleController, Map<String, String> resyncGate) {
    /**
     * What a pair's resync gate may set: how long the standby may take to catch up, how often the
     * engine asks, how long a started member may take to report healthy, and how long the members
     * get to report a switch after the call that asked for it failed.
     */
    public static final java.util.List<String> RESYNC_GATE_SETTINGS = java.util.List.of("timeout-ms", "poll-ms", "health-timeout-ms",
            "switchover-settle-ms");

    /** The longest any resync gate setting may be: a day (a wait longer than that is a typo, not a plan). */
    public static final long MAX_RESYNC_GATE_MS = 86_400_000L;

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

    /**
     * Refuses a resync gate setting that is not one of {@link #RESYNC_GATE_SETTINGS} or not a
     * whole number of milliseconds, so that a typo fails the pair's creation instead of being
     * ignored until an upgrade needs it. (Not checked on records read back: a pair stored by
     * an earlier version keeps working.)
     */
    public static void checkResyncGate(String pair, Map<String, String> settings) {
        for (var setting : settings.entrySet()) {
            if (!RESYNC_GATE_SETTINGS.contains(setting.getKey())) {
                throw new IllegalArgumentException("Pair '" + pair + "': unknown resync gate setting '" + setting.getKey()
                        + "'; the settings are " + String.join(", ", RESYNC_GATE_SETTINGS));
            }
            String value = setting.getValue().strip();
            if (!value.matches("[0-9]{1,9}") || Long.parseLong(value) > MAX_RESYNC_GATE_MS) {
                throw new IllegalArgumentException("Pair '" + pair + "': resync gate setting '" + setting.getKey()
                        + "' is a whole number of milliseconds up to " + MAX_RESYNC_GATE_MS + " (a day), such as " + setting.getKey()
                        + "=5000, not '" + setting.getValue() + "'");
            }
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
