package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.api.VisibleText;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a table, a field list or JSON shows when a value holds control characters: never the characters themselves. */
class PrinterTest {
    /** A driver message, a console line, a path: values that are not names and so were never checked on entry. */
    private static final String FORGED_ROW = "kv-0\nkv-9  lab  img-1  RUNNING";
    private static final String RETITLE = "\u001b]0;pwned\u0007";
    private static final String NASTY = "c1 \u009b2J del \u007f nul \u0000 rlo \u202e ls \u2028 tab \t cr \r";

    private final StringWriter text = new StringWriter();
    private final Printer printer = new Printer(new PrintWriter(text));

    @Test
    void aTableRowCannotBeForgedNorTheTerminalRetitled() {
        printer.rows(OutputFormat.TABLE, List.of("name", "state"), List.of(List.of(FORGED_ROW, "UNKNOWN (" + RETITLE + ")"), List.of("kv-1", NASTY)));
        List<String> lines = text.toString().lines().toList();
        assertEquals(3, lines.size(), "a header and two rows: " + lines);
        assertTrue(lines.get(1).startsWith("kv-0\\nkv-9  lab  img-1  RUNNING"), lines.get(1));
        assertTrue(lines.get(1).endsWith("UNKNOWN (\\x1b]0;pwned\\x07)"), lines.get(1));
        assertTrue(lines.get(2).endsWith("c1 \\u009b2J del \\x7f nul \\x00 rlo \\u202e ls \\u2028 tab \\t cr \\r"), lines.get(2));
        assertNoControlCharacter(text.toString());
    }

    @Test
    void fieldsShowValuesEscaped() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", FORGED_ROW);
        fields.put("role_controller", Map.of("command", RETITLE));
        fields.put("links", List.of());
        printer.fields(OutputFormat.TABLE, fields);
        List<String> lines = text.toString().lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(1).contains("{command=\\x1b]0;pwned\\x07}"), lines.get(1));
        assertNoControlCharacter(text.toString());
    }

    @Test
    void jsonStaysValidAndExactWithEveryControlCharacterEscaped() throws Exception {
        printer.rows(OutputFormat.JSON, List.of("name", "state"), List.of(List.of(FORGED_ROW, RETITLE + NASTY)));
        String json = text.toString();
        assertNoControlCharacter(json);
        assertTrue(json.contains("\\u001B]0;pwned\\u0007") && json.contains("\\u009b") && json.contains("\\u007F"), json);
        List<?> parsed = new ObjectMapper().readValue(json, List.class);
        assertEquals(List.of(Map.of("name", FORGED_ROW, "state", RETITLE + NASTY)), parsed, "the exact values come back");
    }

    /** The only line breaks are the printer's own. */
    private static void assertNoControlCharacter(String output) {
        output.lines().forEach(line -> assertTrue(line.chars().noneMatch(VisibleText::isControl), "escaped: " + line));
    }
}
