package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What -o accepts: table, json or yaml in any case; anything else is bad usage in one escaped line, before anything runs. */
class OutputOptionTest {
    @Test
    void theThreeFormatsInAnyCase() {
        OutputFormatConverter converter = new OutputFormatConverter();
        assertEquals(OutputFormat.JSON, converter.convert("JSON"));
        assertEquals(OutputFormat.YAML, converter.convert("Yaml"));
        assertEquals(OutputFormat.TABLE, converter.convert("table"));
    }

    @Test
    void hostileFormatsAreBadUsageInOneLine() {
        List<String> hostile = List.of("xml", "", " json", "json\n", "yaml; rm -rf /", "\u001b]0;owned\u0007", "\u202ejson", "j\u0000son",
                "../../etc/passwd", "JSON ".repeat(1000), "tabl\u00e9", "-o");
        int accepted = 0;
        for (String format : hostile) {
            CliRun run = CliRun.of("vm", "list", "-o", format);
            if (run.exitCode() != 2) {
                accepted++;
            }
            List<String> lines = run.err().lines().toList();
            assertEquals(2, lines.size(), "what was wrong, where to read more: " + run);
            assertTrue(lines.get(0).startsWith("duplex: ") && lines.get(0).chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == 0x202e),
                    lines.get(0));
            assertEquals("", run.out(), "nothing ran");
        }
        assertEquals(0, accepted, "of " + hostile.size() + " hostile formats");
    }
}
