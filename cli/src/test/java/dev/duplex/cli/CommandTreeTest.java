package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** An invocation builds only the top-level command it names; anything else gets the whole tree. */
class CommandTreeTest {
    private static final PrintWriter NOWHERE = new PrintWriter(OutputStream.nullOutputStream());

    @Test
    void aNamedCommandIsTheOnlyOneBuilt() {
        for (List<String> args : List.of(List.of("vm", "list"), List.of("--server", "https://h:8443", "vm", "list"),
                List.of("--config=/etc/duplex.properties", "-v", "vm", "show", "kv-0"), List.of("--token-file", "vm", "vm", "list"))) {
            assertEquals(Set.of("vm"), tree(args).getSubcommands().keySet(), args.toString());
        }
    }

    @Test
    void helpVersionMistakesAndUnknownOptionsGetTheWholeTree() {
        int all = CommandTree.build(context()).getSubcommands().size();
        assertTrue(all > 10, "the whole tree has every top-level command");
        for (List<String> args : List.<List<String>>of(List.of(), List.of("--help"), List.of("-h", "vm"), List.of("help", "vm", "list"), List.of("vmm", "list"),
                List.of("-x", "vm", "list"), List.of("-vh", "vm"), List.of("--", "vm"), List.of("@args.txt"), List.of("--server"),
                List.of("-V"), List.of("VM", "list"))) {
            assertEquals(all, tree(args).getSubcommands().size(), args.toString());
        }
    }

    @Test
    void aCommandsHelpIsTheSameFromItsOwnTreeAsFromTheWholeOne() {
        for (List<String> words : List.of(List.of("vm", "list"), List.of("pair", "create"), List.of("upgrade", "run"), List.of("db"))) {
            CommandLine own = tree(words);
            CommandLine whole = CommandTree.build(context());
            for (String word : words) {
                own = own.getSubcommands().get(word);
                whole = whole.getSubcommands().get(word);
            }
            assertEquals(whole.getUsageMessage(CommandLine.Help.Ansi.OFF), own.getUsageMessage(CommandLine.Help.Ansi.OFF), words.toString());
        }
    }

    private static CommandLine tree(List<String> args) {
        return CommandTree.build(context(), args.toArray(String[]::new));
    }

    private static CliContext context() {
        return new CliContext(Installation.current(), Map.of(), NOWHERE, NOWHERE);
    }
}
