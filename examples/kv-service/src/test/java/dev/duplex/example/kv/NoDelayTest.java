package dev.duplex.example.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The kv service's HTTP answers go out without waiting for a delayed ACK (Nagle's algorithm off). */
class NoDelayTest {
    @Test
    void nagleIsTurnedOffForTheJdkHttpServerUnlessSetOtherwise() {
        String before = System.getProperty(NoDelay.PROPERTY);
        try {
            System.clearProperty(NoDelay.PROPERTY);
            NoDelay.require();
            assertEquals("true", System.getProperty(NoDelay.PROPERTY));
        } finally {
            restore(before);
        }
    }

    @Test
    void anOperatorsOwnSettingIsKept() {
        String before = System.getProperty(NoDelay.PROPERTY);
        try {
            System.setProperty(NoDelay.PROPERTY, "false");
            NoDelay.require();
            assertEquals("false", System.getProperty(NoDelay.PROPERTY));
        } finally {
            restore(before);
        }
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty(NoDelay.PROPERTY);
        } else {
            System.setProperty(NoDelay.PROPERTY, before);
        }
    }
}
