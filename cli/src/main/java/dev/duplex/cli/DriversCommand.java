package dev.duplex.cli;

import dev.duplex.engine.driver.InstalledDriver;
import dev.duplex.cli.Printer.Column;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        List<Map<String, Object>> drivers = new ArrayList<>();
        for (InstalledDriver driver : context.registry().drivers()) {
            drivers.add(view(driver));
        }
        context.printer().list(output, List.of(Column.of("kind"), Column.of("version"), Column.of("capabilities"),
                Column.of("loaded_from")), drivers);
    }

    /** A driver as docs/output.md describes it (kind "driver"): capabilities as an array of names. */
    static Map<String, Object> view(InstalledDriver driver) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("kind", driver.kind());
        view.put("version", driver.provider().version());
        view.put("capabilities", driver.provider().capabilities().features().stream().sorted().map(Enum::name).toList());
        view.put("loaded_from", driver.source());
        return view;
    }
}
