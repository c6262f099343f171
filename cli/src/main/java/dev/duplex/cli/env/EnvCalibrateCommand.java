package dev.duplex.cli.env;

import dev.duplex.cli.OutputOption;

import dev.duplex.cli.CliContext;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.service.EnvironmentService;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code duplex env calibrate}: measures a VM's environment store and saves its cost model. */
@Command(name = "calibrate", sortOptions = false, description = {
    "Measure a VM's environment store and save its cost model.",
    "The model decides between writing the changes (a diff) and writing",
    "everything at failover. Runs real writes that leave the store's content and",
    "revision unchanged: full rewrites of its items and patches of 1 to 16384",
    "entries,",
    "packed and spread. The fitted model predicts",
    "  diff apply = fixed + per entry x entries + per page x 4 KiB pages touched",
    "  full write = fixed + per byte x bytes",
    "and failover uses it when this VM is the standby, instead of the half-size",
    "rule; each failover then corrects it with what it measured. Calibrate the",
    "standby, typically while it is off. A fresh standby's store is empty: it is",
    "then measured with its active's latest pushed info, written in and removed",
    "again, so push first.",
}, footer = {"", "Examples:", "  duplex env calibrate kvc-1"})
public final class EnvCalibrateCommand implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "TARGET", description = "The VM whose store to measure.")
    String target;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public EnvCalibrateCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        CostModel model = context.services().get(EnvironmentService.class).calibrate(target, Actor.operatingSystemUser());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("target", target);
        view.putAll(Models.view(model));
        context.printer().object(output, view, out -> {
            out.println("Calibrated the environment store of " + target + ":");
            out.println("  " + Models.describe(model));
            out.println("Saved; failover to " + target + " now chooses by this model.");
        });
    }

}
