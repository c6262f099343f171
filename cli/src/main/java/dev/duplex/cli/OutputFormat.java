package dev.duplex.cli;

/** How a command prints its result: a table for people, JSON for scripts. */
public enum OutputFormat {
    TABLE, JSON
}
