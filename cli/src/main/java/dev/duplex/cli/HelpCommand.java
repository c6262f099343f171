package dev.duplex.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code duplex help [COMMAND...]}: the same text as {@code duplex COMMAND... --help}. Picocli's own
 * help command declares a {@code -h} of its own, which clashes with the {@code -h} every command inherits.
 */
@Command(name = "help", helpCommand = true, description = "Show a command's help: 'duplex help image register' is 'duplex image register --help'.",
        footer = {"", "Examples:", "  duplex help pair create"})
public final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command's words, e.g. 'image register'.")
    String[] words = {};

    private CommandLine self;
    private PrintWriter out;
    private CommandLine.Help.ColorScheme colors;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = out;
    }

    @Override
    public void run() {
        CommandLine command = self.getParent();
        for (String word : words) {
            CommandLine sub = command.getSubcommands().get(word);
            if (sub == null) {
                throw new CommandLine.ParameterException(self, "Unknown command '" + String.join(" ", words)
                        + "'; run 'duplex --help' for the list of commands");
            }
            command = sub;
        }
        command.usage(out, colors);
        out.flush();
    }
}
