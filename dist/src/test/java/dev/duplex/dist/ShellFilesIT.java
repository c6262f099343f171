package dev.duplex.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the release holds for the shell around it: completion in a real bash, man pages, and the log file's lines. */
class ShellFilesIT extends OnTheRelease {

    @Test
    void bashCompletesCommandsSubcommandsAndOptions() throws IOException, InterruptedException {
        assertEquals(List.of("pair"), complete("duplex pa"));
        assertEquals(List.of("register"), complete("duplex image reg"));
        assertEquals(List.of("--dry-run"), complete("duplex upgrade run --dr"));
        assertTrue(complete("duplex pair create --").containsAll(List.of("--system0", "--system1", "--role-controller", "--standby")),
                complete("duplex pair create --").toString());
        assertTrue(complete("duplex ").containsAll(List.of("upgrade", "failover", "env", "vm", "pair", "help")), complete("duplex ").toString());
    }

    @Test
    void theScriptRegistersItselfForDuplexInBash() throws IOException, InterruptedException {
        Release.Result registered = release.shell("bash -c '. completion/duplex.bash && complete -p duplex'", Duration.ofSeconds(60));
        assertEquals(0, registered.exitCode(), registered.toString());
        assertTrue(registered.out().contains("-F _complete_duplex") && registered.out().strip().endsWith(" duplex"), registered.out());
    }

    @Test
    void zshLoadsTheSameScriptThroughBashcompinit() throws IOException, InterruptedException {
        Release.Result zsh = release.shell("command -v zsh", Duration.ofSeconds(10));
        org.junit.jupiter.api.Assumptions.assumeTrue(zsh.exitCode() == 0 || "true".equals(System.getenv("CI")), "zsh is not installed here");
        Release.Result loaded = release.shell("zsh -c 'autoload -U +X compinit && compinit -u && autoload -U +X bashcompinit && bashcompinit"
                + " && source completion/duplex.bash && print -r -- ${_comps[duplex]}'", Duration.ofSeconds(60));
        assertEquals(0, loaded.exitCode(), loaded.toString());
        assertTrue(loaded.out().contains("_bash_complete") || loaded.out().contains("_complete_duplex"), loaded.toString());
    }

    @Test
    void everyCommandHasAManPageThatManRenders() throws IOException, InterruptedException {
        Path man1 = release.root().resolve("man/man1");
        for (String page : List.of("duplex.1", "duplex-pair-create.1", "duplex-image-register.1", "duplex-upgrade-run.1", "duplex-env-push.1")) {
            String roff = Files.readString(man1.resolve(page));
            assertTrue(roff.contains(".TH \"DUPLEX"), page + " is a man page: " + roff.substring(0, Math.min(200, roff.length())));
        }
        try (var pages = Files.list(man1)) {
            assertTrue(pages.count() > 40, "one page per command");
        }
        Release.Result man = release.shell("command -v man", Duration.ofSeconds(10));
        org.junit.jupiter.api.Assumptions.assumeTrue(man.exitCode() == 0 || "true".equals(System.getenv("CI")), "man is not installed here");
        Release.Result shown = release.shell("MANWIDTH=200 man -l man/man1/duplex-pair-create.1 | col -b", Duration.ofSeconds(60));
        assertEquals(0, shown.exitCode(), shown.toString());
        assertTrue(shown.out().contains("--role-controller=KEY=VALUE") && shown.out().contains("member.VM.port=N")
                && shown.out().contains("--role-controller member.kv-0.port=7000"), "the options, the keys and the example: " + shown.out());
    }

    @Test
    void logLinesNameTheProcessAndTheCommandAndDebugAddsDriverAndDatabaseCalls() throws IOException, InterruptedException {
        Release.Result added = release.duplex("endpoint", "add", "lab", "--driver", "local");
        assertEquals(0, added.exitCode(), added.toString());
        Release.Result listed = release.duplex(Map.of("DUPLEX_LOG_LEVEL", "DEBUG", "DUPLEX_LOG_FORMAT", "json"), "vm", "list");
        assertEquals(0, listed.exitCode(), listed.toString());
        Path log = release.home().resolve("logs/duplex.log");
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("{")) {
                events.add(new ObjectMapper().readTree(line));
            }
        }
        assertTrue(events.stream().anyMatch(e -> e.get("formattedMessage").asText().startsWith("database call took")
                && e.get("mdc").get("command").asText().equals("vm list") && e.get("mdc").get("pid").asText().matches("\\d+")),
                "DEBUG shows the database calls of 'vm list', with its pid and command: " + Files.readString(log));
        String text = Files.readAllLines(log).stream().filter(l -> !l.startsWith("{")).reduce("", (a, b) -> a + b + "\n");
        assertTrue(text.contains("command=\"endpoint add\""), "a text line names its command: " + text);
        // DEBUG of a command that calls its driver: the call, with the objects it names
        Release.Result created = release.duplex(Map.of("DUPLEX_LOG_LEVEL", "DEBUG"), "volume", "create", "db-log", "--endpoint", "lab", "--size", "1MiB");
        assertEquals(0, created.exitCode(), created.toString());
        assertTrue(Files.readString(log).contains("driver call on endpoint lab: createVolume(VolumeSpec) took"), Files.readString(log));
    }

    /** What bash's programmable completion offers for a command line, through the shipped script's function. */
    private List<String> complete(String line) throws IOException, InterruptedException {
        String script = ". completion/duplex.bash 2>/dev/null\n"
                + "read -ra COMP_WORDS <<< \"$LINE\"\n"
                + "case \"$LINE\" in *' ') COMP_WORDS+=(''); esac\n"
                + "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=\"$LINE\"; COMP_POINT=${#LINE}\n"
                + "_complete_duplex duplex \"${COMP_WORDS[COMP_CWORD]}\" 2>/dev/null\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Path file = dir.resolve("complete.bash");
        Files.writeString(file, script);
        Release.Result result = release.shell("LINE='" + line + "' bash " + file, Duration.ofSeconds(60));
        assertEquals(0, result.exitCode(), result.toString());
        return result.out().lines().filter(s -> !s.isBlank()).map(String::strip).toList();
    }
}
