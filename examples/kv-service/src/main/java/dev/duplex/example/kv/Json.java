package dev.duplex.example.kv;

/**
 * Hand-written JSON for the service's tiny flat objects, so the jar needs no library. Only what the
 * endpoints produce: strings, numbers, booleans and null. {@link #field} reads a field back out of such
 * an object (for tests and the peer's answers), not a general parser.
 */
final class Json {
    private Json() {
    }

    /** {@code object("a", 1, "b", "x")} → {@code {"a":1,"b":"x"}}. */
    static String object(Object... namesAndValues) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            quote(out, String.valueOf(namesAndValues[i]));
            out.append(':');
            Object value = namesAndValues[i + 1];
            if (value == null || value instanceof Number || value instanceof Boolean) {
                out.append(value);
            } else {
                quote(out, value.toString());
            }
        }
        return out.append('}').toString();
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** The raw text of field {@code name} of a flat object made by {@link #object} (quotes removed), or null. */
    static String field(String json, String name) {
        String marker = "\"" + name + "\":";
        int at = json.indexOf(marker);
        if (at < 0) {
            return null;
        }
        int start = at + marker.length();
        if (json.startsWith("\"", start)) {
            StringBuilder value = new StringBuilder();
            for (int i = start + 1; i < json.length(); i++) {
                char c = json.charAt(i);
                if (c == '\\' && i + 1 < json.length()) {
                    value.append(json.charAt(++i));
                } else if (c == '"') {
                    return value.toString();
                } else {
                    value.append(c);
                }
            }
            return null;
        }
        int stop = start;
        while (stop < json.length() && ",}".indexOf(json.charAt(stop)) < 0) {
            stop++;
        }
        return json.substring(start, stop).trim();
    }
}
