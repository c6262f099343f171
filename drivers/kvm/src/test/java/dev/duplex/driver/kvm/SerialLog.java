package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what a test guest printed on its serial console (a {@code <serial type='file'>} log). */
final class SerialLog {
    private SerialLog() {}

    /** Waits until a whole line (ended by a newline) after {@code fromOffset} matches {@code pattern}; returns the match. */
    static Matcher await(Path log, long fromOffset, Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = read(log, fromOffset);
            // Only whole lines: QEMU writes a line in pieces, and a half-written "marker=m1-" would match.
            String complete = text.substring(0, text.lastIndexOf('\n') + 1);
            for (String line : complete.split("\r?\n")) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return fail("no line matching '" + pattern + "' in " + log + " after " + timeout + "; it holds:\n" + text);
    }

    static long size(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String read(Path log, long fromOffset) {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(fromOffset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
