package dev.duplex.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.slf4j.MDC;
import picocli.CommandLine;

/**
 * Entry point of the {@code duplex} command. Errors a user can act on are printed as one line
 * ({@code duplex: what failed, on what, what to do}); {@code --verbose} adds the stack trace.
 */
public final class Main {
    private Main() {}

    // Classes, not lambdas, for picocli's interfaces: picocli is compiled for Java 5, and the class-data-sharing dump
    // leaves out an old interface a lambda linked (and every class implementing it), which each start then reads
    // from the jars, opening every jar on the class path before picocli's.

    /** Bad usage: what was wrong and where to read more, not the whole usage text. */
    private record BadUsage(PrintWriter err) implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] arguments) {
            err.println("duplex: " + Errors.describe(e));
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for its options.");
            err.flush();
            return 2;
        }
    }

    /** A command that failed: one line, and with {@code --verbose} the stack trace. */
    private record Failure(PrintWriter err, CliContext context) implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
            err.println("duplex: " + Errors.describe(e));
            if (context.verbose()) {
                err.print(Errors.trace(e));
            }
            err.flush();
            return 1;
        }
    }

    /** Runs the command with its name in the MDC, so every log line of this invocation names it (LogFile's pattern). */
    private static final class NamedInLog implements CommandLine.IExecutionStrategy {
        @Override
        public int execute(CommandLine.ParseResult parsed) {
            MDC.put("command", LogContext.commandOf(parsed));
            return new CommandLine.RunLast().execute(parsed);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Runs one invocation in this process's environment and returns its exit code: 0 done, 1 failed, 2 bad usage. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, System.getenv(), out, err);
    }

    /**
     * Runs one invocation with the given environment variables ({@code DUPLEX_HOME},
     * {@code DUPLEX_DB_URL}, ...), so a caller such as a test decides which of them apply.
     */
    public static int run(String[] args, java.util.Map<String, String> environment, PrintWriter out, PrintWriter err) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // answered before picocli builds the model of every subcommand, which costs more than the answer
            for (String line : new VersionProvider().getVersion()) {
                out.println(line);
            }
            out.flush();
            return 0;
        }
        StartupTrace trace = StartupTrace.fromSystemProperties(err);
        try (CliContext context = new CliContext(Installation.current(), environment, out, err, trace)) {
            CommandLine commandLine = CommandTree.build(context, args)
                    .setOut(out)
                    .setErr(err)
                    .setCaseInsensitiveEnumValuesAllowed(true)
                    .setParameterExceptionHandler(new BadUsage(err))
                    .setExecutionExceptionHandler(new Failure(err, context));
            trace.phase("command tree (picocli)");
            commandLine.setExecutionStrategy(new NamedInLog());
            LogContext.start();
            trace.phase("logging (SLF4J, logback)");
            try {
                return commandLine.execute(args);
            } finally {
                MDC.remove("command");
                trace.phase("command");
            }
        } catch (RuntimeException e) {
            // Failures while closing (stopping the embedded database) still deserve one clear line.
            err.println("duplex: " + Errors.describe(e));
            err.flush();
            return 1;
        }
    }
}
