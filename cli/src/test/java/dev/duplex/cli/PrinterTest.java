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
        assertTrue(lines.get(1).endsWith(" command=\\x1b]0;pwned\\x07"), lines.get(1));
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

    @Test
    void yamlIsTheSameTreeAsJsonAndAsSafeForTheTerminal() throws Exception {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", FORGED_ROW);
        view.put("detail", RETITLE + NASTY);
        view.put("count", 3);
        view.put("absent", java.util.Optional.empty());
        view.put("created_at", java.time.Instant.parse("2026-11-30T08:10:21.123456Z"));
        view.put("total_ms", java.time.Duration.ofMillis(1234));
        view.put("looks_like_a_number", "5");
        view.put("looks_like_a_bool", "true");
        view.put("properties", Map.of("env.KV_PORT", "7000"));
        view.put("capabilities", List.of("MOUNT_AT_BOOT", "COPY_AT_BOOT"));
        OutputOption json = option("-o", "json");
        OutputOption yaml = option("-o", "yaml");
        printer.object(json, view);
        String jsonText = text.toString();
        text.getBuffer().setLength(0);
        printer.object(yaml, view);
        String yamlText = text.toString();
        assertNoControlCharacter(yamlText);
        var fromJson = new ObjectMapper().readTree(jsonText);
        var fromYaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yamlText);
        assertEquals(fromJson, fromYaml, yamlText);
        assertEquals(RETITLE + NASTY, fromYaml.get("detail").asText(), "the exact value comes back");
        assertTrue(fromJson.get("absent").isNull() && fromJson.get("total_ms").isIntegralNumber()
                && fromJson.get("total_ms").asLong() == 1234, jsonText);
        assertEquals("2026-11-30T08:10:21.123456Z", fromJson.get("created_at").asText());
        assertTrue(fromYaml.get("looks_like_a_number").isTextual() && fromYaml.get("looks_like_a_bool").isTextual(), yamlText);
    }

    @Test
    void theOneObjectViewReadsSizesDurationsAndAbsenceForPeople() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("size_bytes", 64L * 1024 * 1024);
        view.put("total_ms", java.time.Duration.ofMillis(12));
        view.put("linked_by", java.util.Optional.empty());
        view.put("capabilities", List.of("MOUNT_AT_BOOT", "COPY_AT_BOOT"));
        printer.object(OutputFormat.TABLE, view);
        assertEquals(List.of("size:          64 MiB", "total:         12 ms", "linked by:     -", "capabilities:  MOUNT_AT_BOOT, COPY_AT_BOOT"),
                text.toString().lines().toList());
    }

    private static OutputOption option(String... args) {
        OutputOption option = new OutputOption();
        picocli.CommandLine.populateCommand(option, args);
        return option;
    }

    /** The only line breaks are the printer's own. */
    private static void assertNoControlCharacter(String output) {
        output.lines().forEach(line -> assertTrue(line.chars().noneMatch(VisibleText::isControl), "escaped: " + line));
    }
}
