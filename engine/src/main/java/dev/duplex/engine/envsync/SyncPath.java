package dev.duplex.engine.envsync;

/** How the standby's info is brought to the active's revision (seed S405 / S406). */
public enum SyncPath {
    /** Nothing to do: the revisions are equal. */
    NONE,
    /** Apply the stored diff (103). */
    DIFF,
    /** Write the whole info (101). */
    FULL
}
