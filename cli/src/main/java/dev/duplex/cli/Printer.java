package dev.duplex.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.duplex.api.VisibleText;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints rows as an aligned table or as JSON. Every listing command goes through it, so
 * {@code --output json} means the same thing everywhere: an array of objects whose keys are the
 * table's column names in snake case.
 *
 * <p>Nothing it prints acts on the terminal: a cell or field holding a control character (a
 * newline that would forge a row, an escape sequence that would retitle the terminal) shows it
 * escaped ({@link VisibleText}), and JSON escapes the same characters as <code>&#92;u</code> sequences, so
 * it stays valid JSON with the exact value.
 */
public final class Printer {
    private final PrintWriter out;
    private final ObjectMapper json = new ObjectMapper(new JsonFactory().setCharacterEscapes(new TerminalSafeEscapes()))
            .enable(SerializationFeature.INDENT_OUTPUT);

    public Printer(PrintWriter out) {
        this.out = out;
    }

    /** Prints rows; each row maps column name to value, in column order. */
    public void rows(OutputFormat format, List<String> columns, List<List<Object>> rows) {
        if (format == OutputFormat.JSON) {
            List<Map<String, Object>> objects = new ArrayList<>();
            for (List<Object> row : rows) {
                Map<String, Object> object = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    object.put(snake(columns.get(i)), row.get(i));
                }
                objects.add(object);
            }
            object(objects);
            return;
        }
        if (rows.isEmpty()) {
            out.println("(none)");
            out.flush();
            return;
        }
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).length();
            for (List<Object> row : rows) {
                widths[i] = Math.max(widths[i], text(row.get(i)).length());
            }
        }
        line(columns.stream().map(c -> (Object) c.toUpperCase(java.util.Locale.ROOT)).toList(), widths);
        for (List<Object> row : rows) {
            line(row, widths);
        }
        out.flush();
    }

    /**
     * Prints one object's fields: {@code key: value} lines aligned for people, or a JSON object
     * with the same keys. Empty lists read "none".
     */
    public void fields(OutputFormat format, Map<String, Object> fields) {
        if (format == OutputFormat.JSON) {
            object(fields);
            return;
        }
        int width = fields.keySet().stream().mapToInt(key -> text(key).length()).max().orElse(0) + 2;
        fields.forEach((key, value) -> out.printf("%-" + width + "s %s%n", text(key.replace('_', ' ')) + ":",
                text(value instanceof List<?> list && list.isEmpty() ? "none" : value)));
        out.flush();
    }

    /** Prints any value as JSON (records, maps, lists). */
    public void object(Object value) {
        try {
            out.println(json.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot print JSON: " + e.getMessage(), e);
        }
        out.flush();
    }

    public PrintWriter out() {
        return out;
    }

    private void line(List<Object> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = text(cells.get(i));
            line.append(cell);
            if (i < cells.size() - 1) {
                line.append(" ".repeat(widths[i] - cell.length() + 2));
            }
        }
        out.println(line);
    }

    /** What a cell shows: the value's text with control characters escaped, so it stays in its cell. */
    private static String text(Object value) {
        return value == null ? "-" : VisibleText.escape(value.toString());
    }

    private static String snake(String column) {
        return column.trim().toLowerCase(java.util.Locale.ROOT).replace(' ', '_').replace('-', '_');
    }

    /**
     * Jackson escapes C0 controls already; this adds DEL, the C1 controls, the line separators and
     * the bidirectional overrides ({@link VisibleText#isControl}), which JSON allows raw but a
     * terminal would act on.
     */
    private static final class TerminalSafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii;

        TerminalSafeEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return VisibleText.isControl(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
