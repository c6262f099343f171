package dev.duplex.cli;

import picocli.CommandLine.Option;

/** The {@code -o/--output table|json|yaml} and {@code --no-headers} options every command that prints results shares (a picocli mixin). */
public final class OutputOption {
    @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormatConverter.class, paramLabel = "FORMAT",
            description = "table, json or yaml (default: ${DEFAULT-VALUE}); the keys and types of json and yaml are in docs/output.md.")
    OutputFormat format = OutputFormat.TABLE;

    @Option(names = "--no-headers", description = "Print a table's rows without its header line (and nothing when there are none).")
    boolean noHeaders;

    public boolean noHeaders() {
        return noHeaders;
    }

    public OutputFormat format() {
        return format;
    }

    /** Whether the command prints the object for a script (json, yaml) rather than text for people. */
    public boolean structured() {
        return format.structured();
    }
}
