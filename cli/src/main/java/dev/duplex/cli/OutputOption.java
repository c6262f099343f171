package dev.duplex.cli;

import picocli.CommandLine.Option;

/** The {@code --output table|json} option every command that prints results shares (a picocli mixin). */
public final class OutputOption {
    @Option(names = "--output", defaultValue = "table", converter = OutputFormatConverter.class, paramLabel = "FORMAT",
            description = "table or json (default: ${DEFAULT-VALUE})")
    OutputFormat format;

    public OutputFormat format() {
        return format;
    }
}
