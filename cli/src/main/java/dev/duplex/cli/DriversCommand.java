package dev.duplex.cli;

import dev.duplex.engine.driver.InstalledDriver;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code duplex drivers}: what drivers this installation has. */
@Command(name = "drivers", description = {
    "List the installed drivers: kind, version, capabilities, and where each was loaded from.",
    "Drivers come from lib/ and from plugins/<name>/ folders (one class loader per folder)."
}, footer = {"", "Examples:", "  duplex drivers", "  duplex drivers --output json"})
public final class DriversCommand implements Runnable {
    private final CliContext context;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public DriversCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        List<List<Object>> rows = new ArrayList<>();
        for (InstalledDriver driver : context.registry().drivers()) {
            rows.add(List.of(driver.kind(), driver.provider().version(), driver.provider().capabilities().describe(), driver.source()));
        }
        context.printer().rows(output, List.of("kind", "version", "capabilities", "loaded from"), rows);
    }
}
