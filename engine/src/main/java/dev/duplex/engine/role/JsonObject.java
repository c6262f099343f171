package dev.duplex.engine.role;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON object read from a small answer ({@code {"role":"ACT"}}). The engine has no JSON
 * library; this reads standard JSON strictly (objects, arrays, strings with escapes, numbers,
 * booleans, null) and refuses anything else with a message saying where it went wrong.
 */
final class JsonObject {
    private final Map<String, Object> fields;

    private JsonObject(Map<String, Object> fields) {
        this.fields = fields;
    }

    /** Parses {@code text}, which must be one JSON object and nothing else. */
    static JsonObject parse(String text) {
        Reader reader = new Reader(text == null ? "" : text);
        reader.skipBlanks();
        if (!reader.at('{')) {
            throw new IllegalArgumentException("expected a JSON object, got " + quote(text));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) reader.value();
        reader.skipBlanks();
        if (!reader.atEnd()) {
            throw new IllegalArgumentException("unexpected text after the JSON object at offset " + reader.position + " in " + quote(text));
        }
        return new JsonObject(fields);
    }

    Optional<Object> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /** A string field that must be present. */
    String string(String name) {
        Object value = fields.get(name);
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("field \"" + name + "\" must be a string, got " + describe(value));
        }
        return s;
    }

    Optional<String> optionalString(String name) {
        Object value = fields.get(name);
        return value instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** A boolean field that must be present. */
    boolean bool(String name) {
        Object value = fields.get(name);
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException("field \"" + name + "\" must be true or false, got " + describe(value));
        }
        return b;
    }

    /** A whole-number field, if present; refuses a present field that is not a whole number. */
    Optional<Long> optionalLong(String name) {
        Object value = fields.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("field \"" + name + "\" must be a whole number, got " + describe(value));
        }
        return Optional.of(n.longValue());
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    static String quote(String text) {
        if (text == null) {
            return "nothing";
        }
        String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        // What a member answers is untrusted: no control character (line break, escape sequence) reaches a log or a terminal.
        StringBuilder out = new StringBuilder("'");
        for (char c : shown.toCharArray()) {
            if (c == '\n') {
                out.append("\\n");
            } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    private static final class Reader {
        private final String text;
        private int position;

        Reader(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return position >= text.length();
        }

        boolean at(char c) {
            return !atEnd() && text.charAt(position) == c;
        }

        void skipBlanks() {
            while (!atEnd() && Character.isWhitespace(text.charAt(position))) {
                position++;
            }
        }

        void expect(char c) {
            skipBlanks();
            if (!at(c)) {
                throw error("expected '" + c + "'");
            }
            position++;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + position + " in " + quote(text));
        }

        Object value() {
            skipBlanks();
            if (atEnd()) {
                throw error("unexpected end of JSON");
            }
            char c = text.charAt(position);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + c + "'");
                }
            };
        }

        private Map<String, Object> object() {
            expect('{');
            Map<String, Object> fields = new LinkedHashMap<>();
            skipBlanks();
            if (at('}')) {
                position++;
                return fields;
            }
            while (true) {
                skipBlanks();
                if (!at('"')) {
                    throw error("expected a field name");
                }
                String name = string();
                expect(':');
                fields.put(name, value());
                skipBlanks();
                if (at(',')) {
                    position++;
                } else if (at('}')) {
                    position++;
                    return fields;
                } else {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> array() {
            expect('[');
            List<Object> values = new ArrayList<>();
            skipBlanks();
            if (at(']')) {
                position++;
                return values;
            }
            while (true) {
                values.add(value());
                skipBlanks();
                if (at(',')) {
                    position++;
                } else if (at(']')) {
                    position++;
                    return values;
                } else {
                    throw error("expected ',' or ']'");
                }
            }
        }

        private String string() {
            position++; // the opening quote
            StringBuilder out = new StringBuilder();
            while (!atEnd()) {
                char c = text.charAt(position++);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\') {
                    if (atEnd()) {
                        break;
                    }
                    char e = text.charAt(position++);
                    switch (e) {
                        case '"', '\\', '/' -> out.append(e);
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'n' -> out.append('\n');
                        case 'r' -> out.append('\r');
                        case 't' -> out.append('\t');
                        case 'u' -> {
                            if (position + 4 > text.length()) {
                                throw error("short \\u escape");
                            }
                            try {
                                out.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw error("bad \\u escape");
                            }
                            position += 4;
                        }
                        default -> throw error("bad escape '\\" + e + "'");
                    }
                } else if (c < 0x20) {
                    throw error("control character in a string");
                } else {
                    out.append(c);
                }
            }
            throw error("unterminated string");
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, position)) {
                throw error("unexpected word");
            }
            position += word.length();
            return value;
        }

        private Number number() {
            int start = position;
            if (at('-')) {
                position++;
            }
            while (!atEnd() && "0123456789.eE+-".indexOf(text.charAt(position)) >= 0) {
                position++;
            }
            String digits = text.substring(start, position);
            try {
                if (digits.matches("-?(0|[1-9][0-9]*)")) {
                    return Long.parseLong(digits);
                }
                if (digits.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                    return Double.parseDouble(digits);
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            position = start;
            throw error("bad number '" + digits + "'");
        }
    }
}
