package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tables for people and for {@code while read} loops: --no-headers, and long texts that keep the columns. */
class PrinterTableTest {
    private final StringWriter text = new StringWriter();
    private final Printer printer = new Printer(new PrintWriter(text));

    @Test
    void withoutHeadersATableIsOnlyItsRows() {
        printer.rows(OutputFormat.TABLE, false, List.of("name", "state"), List.of(List.of("kv-0", "RUNNING"), List.of("kv-1", "STOPPED")));
        assertEquals(List.of("kv-0  RUNNING", "kv-1  STOPPED"), text.toString().lines().toList());
    }

    @Test
    void withoutHeadersAnEmptyTablePrintsNothing() {
        printer.rows(OutputFormat.TABLE, false, List.of("name"), List.of());
        assertEquals("", text.toString());
    }

    @Test
    void withHeadersAnEmptyTableSaysSo() {
        printer.rows(OutputFormat.TABLE, true, List.of("name"), List.of());
        assertEquals(List.of("(none)"), text.toString().lines().toList());
    }

    @Test
    void theNoHeadersOptionReachesThePrinter() throws Exception {
        OutputOption option = new OutputOption();
        picocli.CommandLine.populateCommand(option, "--no-headers");
        printer.rows(option, List.of("name"), List.of(List.of("kv-0")));
        assertEquals(List.of("kv-0"), text.toString().lines().toList());
    }

    @Test
    void aLongTextWrapsInsideItsColumnAndTheNextColumnStaysAligned() {
        String action = "stop the standby, re-create it from the new image with a link to its own database volume, start it";
        printer.rows(OutputFormat.TABLE, List.of("step", "action", "who serves"),
                List.of(List.of("1", action, "system 0 alone"), List.of("2", "switch over", "nobody (the gap)")));
        List<String> lines = text.toString().lines().toList();
        int column = lines.get(0).indexOf("WHO SERVES");
        assertTrue(lines.get(1).length() > column && lines.get(1).substring(column).equals("system 0 alone"), lines.toString());
        String rejoined = lines.stream().skip(1).filter(l -> !l.startsWith("2"))
                .map(l -> l.substring(3, Math.min(l.length(), column)).strip()).reduce((a, b) -> a + " " + b).orElseThrow();
        assertEquals(action, rejoined, "every word of the action is shown, in its column: " + lines);
        assertTrue(lines.stream().allMatch(l -> l.length() <= column + "nobody (the gap)".length()), lines.toString());
        assertTrue(lines.get(lines.size() - 1).substring(column).equals("nobody (the gap)"), lines.toString());
    }

    @Test
    void aListInACellWrapsBetweenItsItemsNeverInsideAName() {
        List<String> capabilities = List.of("MOUNT_AT_BOOT", "COPY_AT_BOOT", "HOT_ATTACH", "FIRMWARE_STORE", "ENVIRONMENT_STORE",
                "VOLUME_SNAPSHOT", "VOLUME_CLONE");
        printer.list(new OutputOption(), List.of(Printer.Column.of("kind"), Printer.Column.of("capabilities"), Printer.Column.of("loaded_from")),
                List.of(java.util.Map.of("kind", "kvm", "capabilities", capabilities, "loaded_from", "lib/duplex-driver-kvm.jar")));
        List<String> lines = text.toString().lines().toList();
        int from = lines.get(0).indexOf("CAPABILITIES");
        int to = lines.get(0).indexOf("LOADED FROM");
        List<String> pieces = lines.stream().skip(1).map(l -> l.substring(from, Math.min(l.length(), to)).strip()).toList();
        assertTrue(pieces.size() > 1, "the cell wrapped: " + lines);
        List<String> names = java.util.Arrays.stream(String.join(" ", pieces).split(",? +")).map(n -> n.replace(",", "")).toList();
        assertEquals(capabilities, names, "each name whole, on one line: " + lines);
        assertTrue(lines.get(1).endsWith("lib/duplex-driver-kvm.jar"), lines.toString());
    }

    @Test
    void onlyAWordLongerThanItsColumnIsCut() {
        String word = "x".repeat(Printer.MAX_COLUMN_WIDTH + 5);
        printer.rows(OutputFormat.TABLE, List.of("a", "b"), List.of(List.of(word, "end")));
        List<String> lines = text.toString().lines().toList();
        assertEquals("x".repeat(Printer.MAX_COLUMN_WIDTH) + "  end", lines.get(1));
        assertEquals("xxxxx", lines.get(2));
    }

    @Test
    void aCommaJoinedTextBreaksAfterAComma() {
        assertEquals("HOT_ATTACH,".length(), Printer.breakAt("HOT_ATTACH,MOUNT_AT_BOOT", 12));
        assertEquals(8, Printer.breakAt("abcdefghijkl", 8));
    }
}
