package dev.duplex.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The root {@code duplex} command: its options and texts. Its subcommands are those of {@link WithAllCommands};
 * {@link CommandTree} adds only the one an invocation names, as building all of them is much of a short command's time.
 */
@Command(
        name = "duplex",
        // Subcommands inherit the layout and footer; --help is inherited as an option (below), --version is not:
        // 'image register --version V' is the image's version, and an inherited -V/--version shadowed it.
        scope = picocli.CommandLine.ScopeType.INHERIT,
        usageHelpAutoWidth = true,
        // A heading, even a blank line, is what makes picocli's man pages include the footer (the examples).
        footerHeading = "%n",
        versionProvider = VersionProvider.class,
        description = {
            "Upgrades and fails over active/standby VM pairs across KVM, VMware, OpenStack and local processes.",
            "",
            "Zero-copy upgrade: a pair's database volumes are linked to new images, not copied; the standby is upgraded first, then one short switchover.",
            "",
            "Failover: a cold standby's firmware settings and configuration are brought to the active's (a diff or a full write, whichever is predicted faster) before it boots.",
            ""
        },
        footer = {
            "",
            "State lives in $DUPLEX_HOME (default: ~/.duplex): embedded database, local driver, logs.",
            "Settings, later wins: conf/duplex.properties, --config FILE, DUPLEX_* variables, -Dduplex.* properties.",
            "Run 'duplex COMMAND --help' for a command's options and an example; 'man duplex-COMMAND' once man/ is on MANPATH.",
            "",
            "Exit codes: 0 done; 1 refused or failed; 2 bad usage; 3 a job ended without reaching its goal",
            "(FAILED, or an upgrade rolled back); 130 interrupted (the job waits: duplex upgrade resume JOB).",
            "",
            "Examples:",
            "  duplex drivers",
            "  duplex pair list"
        })
public class DuplexCommand implements Runnable {
    private final CliContext context;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public DuplexCommand(CliContext context) {
        this.context = context;
    }

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help, with an example, and exit.",
            scope = picocli.CommandLine.ScopeType.INHERIT)
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.",
            scope = picocli.CommandLine.ScopeType.LOCAL)
    boolean version;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file overriding conf/duplex.properties.", scope = picocli.CommandLine.ScopeType.INHERIT)
    void config(Path file) {
        context.configFile(file);
    }

    @Option(names = "--server", paramLabel = "URL", description = {"Work through the Duplex server at URL (https://host:8443) instead of this"
            + " host's database (default: duplex.server.url).", "Its token is read from --token-file."}, scope = picocli.CommandLine.ScopeType.INHERIT)
    void server(String url) {
        context.serverUrl(url);
    }

    @Option(names = "--token-file", paramLabel = "FILE", description = "The file (mode 600) holding the token for --server"
            + " (default: duplex.server.token-file, else $DUPLEX_HOME/token).", scope = picocli.CommandLine.ScopeType.INHERIT)
    void tokenFile(Path file) {
        context.tokenFile(file);
    }

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors.", scope = picocli.CommandLine.ScopeType.INHERIT)
    void verbose(boolean verbose) {
        context.verbose(verbose);
    }

    @Override
    public void run() {
        spec.commandLine().usage(context.out());
    }

    /**
     * The whole tree: what {@code duplex --help}, {@code duplex help}, suggestions for a mistyped command, the
     * completion script and the man pages are made from. The list of top-level commands lives here alone.
     */
    @Command(
        subcommands = {
            DriversCommand.class,
            DbCommand.class,
            EndpointCommand.class,
            ImageCommand.class,
            VolumeCommand.class,
            VmCommand.class,
            PairCommand.class,
            dev.duplex.cli.upgrade.UpgradeCommand.class,
            dev.duplex.cli.demo.DemoCommand.class,
            dev.duplex.cli.bench.BenchCommand.class,
            dev.duplex.cli.env.EnvCommand.class,
            dev.duplex.cli.env.FailoverCommand.class,
            JobsCommand.class,
            ServerCommand.class,
            TokenCommand.class,
            HelpCommand.class
        })
    public static final class WithAllCommands extends DuplexCommand {
        public WithAllCommands(CliContext context) {
            super(context);
        }
    }
}
