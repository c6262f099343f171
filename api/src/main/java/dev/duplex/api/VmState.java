package dev.duplex.api;

/** The power state of a VM as the platform reports it. */
public enum VmState {
    /** Defined but not running; its disks and links are intact. */
    STOPPED,
    /** Start requested, not yet running (copy at boot in progress, firmware booting). */
    STARTING,
    /** Running. */
    RUNNING,
    /** Stop requested, not yet stopped. */
    STOPPING,
    /** Stopped without being asked to (the process died, the guest crashed). */
    CRASHED
}
