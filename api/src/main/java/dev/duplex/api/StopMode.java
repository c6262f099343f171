package dev.duplex.api;

/** How to stop a VM. */
public enum StopMode {
    /** Ask the guest to shut down (ACPI power button, SIGTERM) and force it off after the driver's grace period. */
    GRACEFUL,
    /** Power off at once, as when fencing a failed active. */
    FORCE
}
