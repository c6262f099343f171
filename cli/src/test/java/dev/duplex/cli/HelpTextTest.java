package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help, walked through the whole tree: an example each, no patent jargon, nothing cut off. */
class HelpTextTest {
    /** The patents' vocabulary an operator cannot act on: seed numbers, figure and reference numerals, claims, step numbers. */
    /** Commands whose example needs a situation no setup makes on purpose: a job whose process was killed. */
    static final List<String> SITUATIONAL = List.of("duplex upgrade resume");

    private static final Pattern JARGON = Pattern.compile(
            "seed \\d+|seed S\\d+|FIG\\. ?\\d+|\\(1\\d\\d\\)|claims? \\d|\\bS\\d{2,3}\\b");

    @Test
    void everyCommandsHelpEndsWithARunnableExampleAndNoJargon() {
        List<String> commands = commands();
        assertTrue(commands.size() > 40, "the walk found the tree: " + commands);
        for (String command : commands) {
            CliRun help = CliRun.of(args(command + " --help"));
            assertEquals(0, help.exitCode(), command + ": " + help);
            assertTrue(help.out().startsWith("Usage: " + command + " "), command + " prints its own usage: " + help.out());
            List<String> examples = examples(help.out());
            assertTrue(help.out().contains("\nExamples:\n  "), command + " --help has an example: " + help.out());
            assertFalse(examples.isEmpty() && !SITUATIONAL.contains(command), command + " --help has a runnable example: " + help.out());
            Matcher jargon = JARGON.matcher(help.out());
            assertFalse(jargon.find(), command + " --help says '" + (jargon.find(0) ? jargon.group() : "") + "': " + help.out());
        }
    }

    @Test
    void examplesNameTheirOwnCommand() {
        for (String command : commands()) {
            if (command.equals("duplex") || command.equals("duplex help") || command.split(" ").length < 3 || SITUATIONAL.contains(command)) {
                continue; // the root's and the groups' examples are any of their commands
            }
            String words = command.substring("duplex ".length());
            assertTrue(examples(CliRun.of(args(command + " --help")).out()).stream().anyMatch(e -> e.contains("duplex " + words + " ")
                    || e.endsWith("duplex " + words)), command + "'s example runs it");
        }
    }

    @Test
    void imageRegisterHelpIsItsOwnThroughBothWays() {
        CliRun direct = CliRun.of("image", "register", "--help");
        assertEquals(0, direct.exitCode(), direct.toString());
        assertTrue(direct.out().startsWith("Usage: duplex image register [-hv]") && direct.out().contains("--endpoint=ENDPOINT"), direct.out());
        assertTrue(direct.out().contains("--version=VERSION"), direct.out());
        CliRun viaHelp = CliRun.of("help", "image", "register");
        assertEquals(0, viaHelp.exitCode(), viaHelp.toString());
        assertEquals(direct.out(), viaHelp.out());
    }

    @Test
    void versionIsTheRootsAlone() {
        assertEquals(0, CliRun.of("--version").exitCode());
        CliRun listing = CliRun.of("vm", "list", "--help");
        assertFalse(listing.out().contains("--version"), listing.out());
    }

    @Test
    void theBenchListingShowsWholeSentences() {
        String listing = CliRun.of("bench", "--help").out();
        // An entry is its line and the deeper-indented lines picocli wraps it onto.
        Matcher entry = Pattern.compile("(?m)^  (upgrade|failover) +(.*(?:\n {6,}.*)*)").matcher(listing);
        int entries = 0;
        while (entry.find()) {
            entries++;
            assertTrue(entry.group(2).strip().endsWith("."), "a listed benchmark's text ends its sentence: " + entry.group());
        }
        assertEquals(2, entries, listing);
    }

    @Test
    void pairCreateHelpNamesTheKeysTheHttpControllerReads() {
        String help = CliRun.of("pair", "create", "--help").out();
        for (String key : List.of("type=http", "member.VM.port", "demote-url", "takeover-url", "promote-url", "role-token",
                "roles-command", "switchover-command", "sync-command")) {
            assertTrue(help.contains(key), key + " in: " + help);
        }
        assertFalse(help.contains(".url="), "no key the http controller does not read: " + help);
        assertTrue(help.contains("--role-controller member.kv-0.port=7000 --role-controller member.kv-1.port=7001"), help);
    }

    @Test
    void helpForACommandThatDoesNotExistIsOneLineAndUsage() {
        for (String[] words : new String[][] {{"help", "imag", "register"}, {"help", "image", "regster"}, {"help", "image", "register", "extra"},
                {"help", "\u001b]0;x\u0007"}}) {
            CliRun help = CliRun.of(words);
            assertEquals(2, help.exitCode(), help.toString());
            assertTrue(help.err().startsWith("duplex: Unknown command '"), help.err());
            assertFalse(help.err().contains("\u001b"), "the terminal is not addressed: " + help.err());
        }
    }

    @Test
    void anUnknownLogFormatIsRefusedNamingTheSetting() throws Exception {
        java.nio.file.Path config = java.nio.file.Files.createTempFile("duplex", ".properties");
        try {
            for (String format : List.of("xml", "JSON ", "text\"/><appender name=\"x\"")) {
                java.nio.file.Files.writeString(config, "duplex.log.format=" + format + "\n");
                CliRun run = CliRun.withConfig(config.toString(), "drivers");
                assertEquals(1, run.exitCode(), format + ": " + run);
                assertTrue(run.err().contains("duplex.log.format") && run.err().contains("must be text or json"), run.err());
                assertEquals(1, run.err().strip().lines().count(), run.err());
            }
        } finally {
            java.nio.file.Files.deleteIfExists(config);
        }
    }

    /** Every command's full name, root first, depth first, in the order the listings show them. */
    static List<String> commands() {
        List<String> names = new ArrayList<>();
        walk(CommandTree.build(new CliContext(Installation.current(), java.util.Map.of(),
                new java.io.PrintWriter(java.io.OutputStream.nullOutputStream()), new java.io.PrintWriter(java.io.OutputStream.nullOutputStream()))), names);
        return names;
    }

    private static void walk(CommandLine command, List<String> names) {
        names.add(command.getCommandSpec().qualifiedName());
        for (CommandLine sub : new java.util.LinkedHashSet<>(command.getSubcommands().values())) {
            walk(sub, names);
        }
    }

    /** The lines of the Examples section that run: indented, not comments. */
    static List<String> examples(String help) {
        List<String> examples = new ArrayList<>();
        boolean inside = false;
        for (String line : help.split("\n")) {
            if (line.equals("Examples:")) {
                inside = true;
            } else if (inside && line.startsWith("  ") && !line.strip().startsWith("#")) {
                examples.add(line.strip());
            } else if (inside && !line.startsWith("  ")) {
                inside = false;
            }
        }
        return examples;
    }

    private static String[] args(String command) {
        String[] words = command.split(" ");
        return java.util.Arrays.copyOfRange(words, 1, words.length);
    }
}
