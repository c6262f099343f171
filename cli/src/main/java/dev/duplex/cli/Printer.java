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

    /** The widest a column other than the last may be: a longer cell wraps inside its column. */
    static final int MAX_COLUMN_WIDTH = 40;

    /** Prints rows as the command's {@code --output} and {@code --no-headers} say. */
    public void rows(OutputOption output, List<String> columns, List<List<Object>> rows) {
        rows(output.format(), !output.noHeaders(), columns, rows);
    }

    /** Prints rows with a header line; each row maps column name to value, in column order. */
    public void rows(OutputFormat format, List<String> columns, List<List<Object>> rows) {
        rows(format, true, columns, rows);
    }

    /**
     * Prints rows; each row maps column name to value, in column order. Without headers a table
     * is only its rows (and nothing at all when there are none), for {@code while read} loops.
     */
    public void rows(OutputFormat format, boolean headers, List<String> columns, List<List<Object>> rows) {
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
            if (headers) {
                out.println("(none)");
            }
            out.flush();
            return;
        }
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = headers ? columns.get(i).length() : 0;
            for (List<Object> row : rows) {
                widths[i] = Math.max(widths[i], text(row.get(i)).length());
            }
            if (i < columns.size() - 1) {
                widths[i] = Math.min(widths[i], Math.max(MAX_COLUMN_WIDTH, headers ? columns.get(i).length() : 0));
            }
        }
        if (headers) {
            line(columns.stream().map(c -> (Object) c.toUpperCase(java.util.Locale.ROOT)).toList(), widths);
        }
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

    /**
     * One row; a cell wider than its column (a long action text) goes on in the same column on the
     * next lines, so the columns after it stay aligned.
     */
    private void line(List<Object> cells, int[] widths) {
        List<String> rest = new ArrayList<>();
        for (Object cell : cells) {
            rest.add(text(cell));
        }
        boolean first = true;
        do {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < rest.size(); i++) {
                String cell = rest.get(i);
                boolean last = i == rest.size() - 1;
                String part = last || cell.length() <= widths[i] ? cell : cell.substring(0, breakAt(cell, widths[i]));
                rest.set(i, cell.substring(part.length()).stripLeading());
                line.append(part);
                if (!last) {
                    line.append(" ".repeat(widths[i] - part.length() + 2));
                }
            }
            // a continuation line's empty cells leave only padding behind
            out.println(first ? line : line.toString().stripTrailing());
            first = false;
        } while (rest.stream().anyMatch(cell -> !cell.isEmpty()));
    }

    /** Where to cut a cell to fit {@code width}: after its last blank that fits, else at the width. */
    private static int breakAt(String cell, int width) {
        int blank = cell.lastIndexOf(' ', width);
        return blank > 0 ? blank + 1 : width;
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
