package dev.duplex.api;

/**
 * Makes text safe to print on a terminal or in a one-line message: control characters become
 * visible escapes instead of acting on the terminal.
 *
 * <p>A newline in a name would forge a table row; {@code ESC ] 0 ; title BEL} would retitle the
 * terminal, and other escape sequences move the cursor or recolour what follows. So C0 controls
 * (U+0000 to U+001F), DEL (U+007F), C1 controls (U+0080 to U+009F; some terminals act on them
 * too), the Unicode line and paragraph separators and the bidirectional overrides (which make
 * text read in another order than it is stored) are written as {@code \n}, {@code \r},
 * {@code \t}, {@code \x1b} or <code>&#92;u202e</code>. Everything else, including non-Latin letters,
 * stays as it is.
 */
public final class VisibleText {
    private VisibleText() {}

    /** {@code text} with every control character escaped; {@code null} stays {@code null}. */
    public static String escape(String text) {
        if (text == null || text.chars().noneMatch(VisibleText::isControl)) {
            return text;
        }
        StringBuilder visible = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                visible.append(c);
            } else if (c == '\n') {
                visible.append("\\n");
            } else if (c == '\r') {
                visible.append("\\r");
            } else if (c == '\t') {
                visible.append("\\t");
            } else if (c < 0x80) {
                visible.append(String.format("\\x%02x", (int) c));
            } else {
                visible.append(String.format("\\u%04x", (int) c));
            }
        }
        return visible.toString();
    }

    /** Whether {@code c} would act on a terminal or reorder text instead of showing as itself. */
    public static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == 0x2028 || c == 0x2029 // line and paragraph separators
                || c == 0x200e || c == 0x200f || c == 0x061c // direction marks
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069); // bidi embeddings, overrides, isolates
    }
}
