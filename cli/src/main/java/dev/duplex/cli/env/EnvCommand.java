package dev.duplex.cli.env;

import picocli.CommandLine.Command;

/** {@code duplex env diff|apply|inspect|push|calibrate|status}. */
@Command(name = "env", description = {
    "Environment info of cold standbys: firmware settings and configuration, kept in step with the active so a failover boots the standby as the active was.",
    "",
    "Offline tools (no database; a file is one item):",
    "  duplex env diff --from OLD --to NEW --out FILE  extract the byte diff",
    "  duplex env apply --diff FILE --target FILE      apply it atomically",
    "  duplex env inspect FILE [--output json]         show header, entries",
    "Pairs:",
    "  duplex env push PAIR --item NAME=FILE... --revision N",
    "                        record the active's info, store the standby's diff",
    "  duplex env calibrate VM   measure a VM's store, save its cost model",
    "  duplex env status PAIR    revisions, stored diff, model, failover plan",
    "Then 'duplex failover PAIR' fences the active, syncs the standby and starts",
    "it.",
}, footer = {"", "Examples:", "  duplex env status kvc"}, subcommands = {EnvDiffCommand.class, EnvApplyCommand.class, EnvInspectCommand.class, EnvPushCommand.class,
    EnvCalibrateCommand.class, EnvStatusCommand.class})
public final class EnvCommand {
}
