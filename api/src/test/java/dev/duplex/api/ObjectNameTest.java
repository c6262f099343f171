package dev.duplex.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectNameTest {
    /** Names that reached the file system, forged table rows or retitled the terminal, and their neighbours. */
    static Stream<String> hostileNames() {
        return Stream.of("../x", "../../../duplex-hostile-escape", "..", ".", "/abs", "/etc/passwd", "a/b", "a\\b",
                "kv\nforged  lab  img  RUNNING", "kv\r", "kv\t0", "\u001b[31mred", "kv\u001b]0;pwned\u0007", "a\u0000b",
                "a\u007fb", "a\u009bb", "a\u202eb", "x".repeat(64), "x".repeat(1000), "", " ", "-x", "--help", ".hidden", "_x",
                "l\u0430b" /* Cyrillic a */, "kv\u20110" /* non-breaking hyphen */, "\uff4b\uff56" /* fullwidth kv */,
                "kv 0", " lab", "lab ", "a:b", "a;b", "$(id)", "a*", "\u00e9");
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void hostileNamesAreRefusedNamingTheRule(String name) {
        assertFalse(ObjectName.isValid(name), name);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ObjectName.check("VM", name));
        assertTrue(e.getMessage().contains(ObjectName.RULE), e.getMessage());
        assertTrue(e.getMessage().contains("VM name"), e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(VisibleText::isControl), "the message shows the name escaped: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kv-0", "kv-1", "db-0", "lab", "kv-1.0", "A", "9", "a..b", "a.", "a-", "img_2", "tck-vm-0c6d7d1e-12"})
    void ordinaryNamesPass(String name) {
        assertEquals(name, ObjectName.check("VM", name));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 62, 63})
    void namesUpToSixtyThreeCharactersPass(int length) {
        assertTrue(ObjectName.isValid("k".repeat(length)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 64, 65})
    void otherLengthsAreRefused(int length) {
        assertFalse(ObjectName.isValid("k".repeat(length)));
    }

    @org.junit.jupiter.api.Test
    void nullIsNotAName() {
        assertFalse(ObjectName.isValid(null));
        assertThrows(NullPointerException.class, () -> ObjectName.check("VM", null));
    }
}
