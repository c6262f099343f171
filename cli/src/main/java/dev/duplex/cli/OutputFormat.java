package dev.duplex.cli;

/**
 * How a command prints its result: a table (or a one-object view) for people, JSON or YAML for
 * scripts. JSON and YAML are the same tree (docs/output.md); only the notation differs.
 */
public enum OutputFormat {
    TABLE, JSON, YAML;

    /** Whether this format is for scripts: the object itself, nothing else on standard output. */
    public boolean structured() {
        return this != TABLE;
    }
}
