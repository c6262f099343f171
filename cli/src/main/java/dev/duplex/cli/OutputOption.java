package dev.duplex.cli;

import picocli.CommandLine.Option;

/** The {@code --output table|json} and {@code --no-headers} options every command that prints results shares (a picocli mixin). */
public final class OutputOption {
    @Option(names = "--output", defaultValue = "table", converter = OutputFormatConverter.class, paramLabel = "FORMAT",
            description = "table or json (default: ${DEFAULT-VALUE})")
    OutputFormat format;

    @Option(names = "--no-headers", description = "Print a table's rows without its header line (and nothing when there are none).")
    boolean noHeaders;

    public boolean noHeaders() {
        return noHeaders;
    }

    public OutputFormat format() {
        return format;
    }
}
