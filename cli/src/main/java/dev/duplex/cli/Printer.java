package dev.duplex.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.duplex.api.VisibleText;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.yaml.snakeyaml.DumperOptions;

import static java.util.Objects.requireNonNull;

/**
 * The one place where commands' results become text: an aligned table or a one-object view for
 * people, JSON or YAML for scripts. A command builds a view (a map whose keys are snake_case and
 * whose values follow docs/output.md) and hands it here; no command writes JSON or YAML itself, so
 * {@code -o json} means the same thing everywhere.
 *
 * <p>Values are normalised on the way out: {@code Optional} and {@code null} print as {@code null},
 * {@code Instant} as RFC 3339 text, {@code Duration} as whole milliseconds (its key ends in
 * {@code _ms}), enums by name, collections as arrays.
 *
 * <p>Nothing it prints acts on the terminal: a cell or field holding a control character (a
 * newline that would forge a row, an escape sequence that would retitle the terminal) shows it
 * escaped ({@link VisibleText}); JSON escapes the same characters as <code>&#92;u</code> sequences and
 * YAML writes any non-ASCII character escaped, so both stay valid with the exact value.
 */
public final class Printer {
    private final PrintWriter out;
    // made on first use: most commands print a table, and a mapper (YAML's above all) costs a short command's start-up
    private ObjectMapper json;
    private ObjectMapper yaml;

    public Printer(PrintWriter out) {
        this.out = out;
    }

    private ObjectMapper mapper(OutputFormat format) {
        if (format == OutputFormat.YAML) {
            if (yaml == null) {
                yaml = new ObjectMapper(YAMLFactory.builder().dumperOptions(yamlOptions())
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build());
            }
            return yaml;
        }
        if (json == null) {
            json = new ObjectMapper(new JsonFactory().setCharacterEscapes(new TerminalSafeEscapes())).enable(SerializationFeature.INDENT_OUTPUT);
        }
        return json;
    }

    /** The widest a column other than the last may be: a longer cell wraps inside its column. */
    static final int MAX_COLUMN_WIDTH = 40;

    /**
     * A table column: its header, the view key it shows, and how a value reads in a cell (a size as
     * "64 MiB" where the view holds bytes).
     */
    public record Column(String header, String key, Function<Object, Object> cell) {
        public Column {
            requireNonNull(header, "header is null");
            requireNonNull(key, "key is null");
            requireNonNull(cell, "cell is null");
        }

        /** A column whose header is its key in words ({@code driver_ref} reads "DRIVER REF"). */
        public static Column of(String key) {
            return new Column(key.replace('_', ' '), key, value -> value);
        }

        public static Column of(String header, String key) {
            return new Column(header, key, value -> value);
        }

        public static Column of(String header, String key, Function<Object, Object> cell) {
            return new Column(header, key, value -> value == null ? null : cell.apply(value));
        }
    }

    /** A list of objects of one kind: a table of the given columns, or an array of the whole objects. */
    public void list(OutputOption output, List<Column> columns, List<? extends Map<String, ?>> objects) {
        if (output.structured()) {
            write(output.format(), objects);
            return;
        }
        List<List<Object>> rows = new ArrayList<>();
        for (Map<String, ?> object : objects) {
            List<Object> row = new ArrayList<>();
            for (Column column : columns) {
                row.add(column.cell().apply(normalise(object.get(column.key()))));
            }
            rows.add(row);
        }
        rows(OutputFormat.TABLE, !output.noHeaders(), columns.stream().map(Column::header).toList(), rows);
    }

    /** One object: {@code key: value} lines for people, the object itself for scripts. */
    public void object(OutputOption output, Map<String, ?> view) {
        object(output.format(), view);
    }

    /** One object in the given format (the one-object view in table mode). */
    public void object(OutputFormat format, Map<String, ?> view) {
        if (format.structured()) {
            write(format, view);
        } else {
            fields(format, view);
        }
    }

    /**
     * An object a command made, changed or deleted: for people a line saying what happened, then
     * its one-object view; for scripts the object alone.
     */
    public void changed(OutputOption output, String headline, Map<String, ?> view) {
        if (!output.structured()) {
            out.println(VisibleText.escape(headline));
        }
        object(output, view);
    }

    /** One object whose text for people has a layout of its own (a report, a plan); scripts get the view. */
    public void object(OutputOption output, Map<String, ?> view, Consumer<PrintWriter> text) {
        if (output.structured()) {
            write(output.format(), view);
        } else {
            text.accept(out);
            out.flush();
        }
    }

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
        if (format.structured()) {
            List<Map<String, Object>> objects = new ArrayList<>();
            for (List<Object> row : rows) {
                Map<String, Object> object = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    object.put(snake(columns.get(i)), row.get(i));
                }
                objects.add(object);
            }
            write(format, objects);
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
     * Prints one object's fields: {@code key: value} lines aligned for people, or the object for
     * scripts. Empty lists read "none", absent values "-".
     */
    public void fields(OutputFormat format, Map<String, ?> fields) {
        if (format.structured()) {
            write(format, fields);
            return;
        }
        int width = fields.keySet().stream().mapToInt(key -> label(key).length()).max().orElse(0) + 2;
        fields.forEach((key, value) -> {
            Object shown = normalise(value);
            if (shown instanceof Number number && key.endsWith("_bytes")) {
                shown = ByteSize.format(number.longValue());
            } else if (shown instanceof Number number && key.endsWith("_ms")) {
                shown = number + " ms";
            } else if (shown instanceof List<?> list && list.isEmpty()) {
                shown = "none";
            }
            out.printf("%-" + width + "s %s%n", label(key) + ":", text(shown));
        });
        out.flush();
    }

    /** A key as people read it: "size_bytes" is "size" (its value reads "64 MiB"), "total_ms" is "total". */
    private static String label(String key) {
        String words = key.endsWith("_bytes") ? key.substring(0, key.length() - 6) : key.endsWith("_ms") ? key.substring(0, key.length() - 3) : key;
        return text(words.replace('_', ' '));
    }

    /** Prints any value as JSON (records, maps, lists). */
    public void object(Object value) {
        write(OutputFormat.JSON, value);
    }

    /** Writes a value as JSON or YAML, normalised as the class comment says. */
    private void write(OutputFormat format, Object value) {
        try {
            String text = mapper(format).writeValueAsString(normalise(value));
            out.print(text);
            if (!text.endsWith("\n")) {
                out.println();
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot print " + format.name().toLowerCase(java.util.Locale.ROOT) + ": " + e.getMessage(), e);
        }
        out.flush();
    }

    /** A value as docs/output.md types it: see the class comment. */
    static Object normalise(Object value) {
        if (value instanceof Optional<?> optional) {
            return normalise(optional.orElse(null));
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), normalise(v)));
            return copy;
        }
        if (value instanceof Collection<?> collection) {
            List<Object> copy = new ArrayList<>();
            collection.forEach(v -> copy.add(normalise(v)));
            return copy;
        }
        if (value instanceof Instant instant) {
            return instant.toString();
        }
        if (value instanceof Duration duration) {
            return duration.toMillis();
        }
        if (value instanceof Enum<?> constant) {
            return constant.name();
        }
        if (value instanceof java.nio.file.Path path) {
            return path.toString();
        }
        return value;
    }

    private static DumperOptions yamlOptions() {
        DumperOptions options = new DumperOptions();
        options.setAllowUnicode(false); // every non-ASCII character escaped: a bidi override cannot reorder the terminal
        return options;
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

    /**
     * Where to cut a cell to fit {@code width}: after its last blank or comma that fits (a list such
     * as capabilities breaks between its items), else at the width: only a word longer than the
     * column is cut.
     */
    static int breakAt(String cell, int width) {
        for (int end = Math.min(width, cell.length() - 1); end > 0; end--) {
            char before = cell.charAt(end - 1);
            if (before == ' ' || before == ',') {
                return end;
            }
        }
        return width;
    }

    /**
     * What a cell shows: the value's text with control characters escaped, so it stays in its cell;
     * absent is "-", a list its items joined by ", ", a map its entries as key=value.
     */
    private static String text(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Collection<?> list) {
            return list.isEmpty() ? "-" : String.join(", ", list.stream().map(Printer::text).toList());
        }
        if (value instanceof Map<?, ?> map) {
            return map.isEmpty() ? "-" : String.join(", ", map.entrySet().stream()
                    .map(e -> text(e.getKey()) + "=" + text(e.getValue())).toList());
        }
        return VisibleText.escape(value.toString());
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
