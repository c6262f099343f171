package dev.duplex.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VisibleTextTest {
    @Test
    void controlCharactersBecomeVisibleEscapes() {
        assertEquals("a\\nb\\rc\\td", VisibleText.escape("a\nb\rc\td"));
        assertEquals("\\x1b]0;pwned\\x07", VisibleText.escape("\u001b]0;pwned\u0007"), "OSC title sequence");
        assertEquals("\\x1b[31mred", VisibleText.escape("\u001b[31mred"));
        assertEquals("a\\x00b\\x7fc", VisibleText.escape("a\u0000b\u007fc"), "NUL and DEL");
        assertEquals("\\u009b2J", VisibleText.escape("\u009b2J"), "C1 CSI");
        assertEquals("\\u202eexe.txt", VisibleText.escape("\u202eexe.txt"), "right-to-left override");
        assertEquals("a\\u2028b", VisibleText.escape("a\u2028b"));
    }

    @Test
    void everythingElseStaysAsItIs() {
        String plain = "VM kv-0 on lab: /var/lib/db \\n (literal), \u00e9lan, \u65e5\u672c, emoji \ud83d\ude00";
        assertSame(plain, VisibleText.escape(plain));
        assertNull(VisibleText.escape(null));
    }

    @Test
    void noControlCharacterSurvives() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            all.append(c);
        }
        String escaped = VisibleText.escape(all.toString());
        assertTrue(escaped.chars().noneMatch(VisibleText::isControl));
        assertTrue(escaped.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)));
    }
}
