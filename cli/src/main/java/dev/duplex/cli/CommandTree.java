package dev.duplex.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code duplex} command tree as picocli sees it: built once per invocation by {@link Main},
 * and by the build's generators of completion scripts and man pages ({@link ForDocs}), so that
 * both describe the very commands the release runs.
 */
public final class CommandTree {
    private CommandTree() {}

    /** The whole tree, each command created with the invocation's context. */
    public static CommandLine build(CliContext context) {
        CommandLine root = new CommandLine(DuplexCommand.WithAllCommands.class, new ContextFactory(context));
        unwrapFooters(root);
        return root;
    }

    /**
     * The tree {@code args} need: the root with only the top-level command they name (picocli builds the model
     * of every command it is given, a fifth of a short command's time when it is all of them). Whatever this
     * cheap look at the words cannot place (no command, help, the version, an option the root does not have,
     * an unknown or mistyped command, an argument file) gets the whole tree, so help and suggestions stay whole.
     */
    public static CommandLine build(CliContext context, String[] args) {
        ContextFactory factory = new ContextFactory(context);
        CommandLine root = new CommandLine(DuplexCommand.class, factory);
        java.util.Optional<Class<?>> named = topLevelCommand(root.getCommandSpec(), args);
        if (named.isEmpty()) {
            return build(context);
        }
        root.addSubcommand(new CommandLine(named.get(), factory));
        unwrapFooters(root);
        return root;
    }

    /** The top-level command (not help) that {@code args} run, when the root's own options before it are plain. */
    static java.util.Optional<Class<?>> topLevelCommand(CommandLine.Model.CommandSpec root, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("-")) {
                int equals = arg.indexOf('=');
                CommandLine.Model.OptionSpec option = arg.startsWith("--") || equals < 0
                        ? root.findOption(equals < 0 ? arg : arg.substring(0, equals)) : null;
                if (option == null || option.usageHelp() || option.versionHelp()) {
                    return java.util.Optional.empty();
                }
                if (equals < 0 && option.arity().max() > 0) {
                    i++; // its value
                }
                continue;
            }
            for (Class<?> command : DuplexCommand.WithAllCommands.class.getAnnotation(CommandLine.Command.class).subcommands()) {
                CommandLine.Command declared = command.getAnnotation(CommandLine.Command.class);
                if (command != HelpCommand.class && (declared.name().equals(arg) || java.util.Arrays.asList(declared.aliases()).contains(arg))) {
                    return java.util.Optional.of(command);
                }
            }
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }

    /**
     * Footers (the examples, the key references) print line for line as written: picocli would wrap
     * them at the terminal's width, and a wrapped example no longer runs when pasted.
     */
    private static void unwrapFooters(CommandLine command) {
        command.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, new FooterAsWritten());
        for (CommandLine sub : command.getSubcommands().values()) {
            unwrapFooters(sub);
        }
    }

    /**
     * The footer renderer. A class, not a lambda: picocli is compiled for Java 5, and the class-data-sharing dump
     * leaves out an old interface that a lambda linked (and every class implementing it), so such classes would be
     * read from the jars at each start.
     */
    private static final class FooterAsWritten implements CommandLine.IHelpSectionRenderer {
        @Override
        public String render(CommandLine.Help help) {
            StringBuilder text = new StringBuilder();
            String[] lines = help.commandSpec().usageMessage().footer();
            // the heading (a blank line) already separates it: a footer's own leading blank line would double it
            int first = lines.length > 0 && lines[0].isEmpty() ? 1 : 0;
            for (String line : java.util.Arrays.asList(lines).subList(first, lines.length)) {
                text.append(line.replace("%n", System.lineSeparator()).replace("%%", "%")).append(System.lineSeparator());
            }
            return text.toString();
        }
    }

    /** Creates commands, handing the invocation's context to those that take one. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                if (constructor.getParameterCount() == 1 && constructor.getParameterTypes()[0] == CliContext.class) {
                    constructor.setAccessible(true);
                    return type.cast(constructor.newInstance(context));
                }
            }
            return CommandLine.defaultFactory().create(type);
        }
    }

    /**
     * For picocli's generators ({@code AutoComplete --factory}, {@code ManPageGenerator --factory}), which
     * need a factory with a no-argument constructor: the commands only describe themselves, never run.
     */
    public static final class ForDocs implements CommandLine.IFactory {
        private final CommandLine.IFactory delegate = new ContextFactory(new CliContext(Installation.current(), Map.of(),
                new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8),
                new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)));

        @Override
        public <K> K create(Class<K> type) throws Exception {
            return delegate.create(type);
        }
    }
}
