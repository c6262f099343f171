package dev.duplex.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's options: the defaults the issue asks for, and every bad option refused with its name before anything starts. */
class RealFleetOptionsTest {
    @TempDir
    Path work;

    @Test
    void theDefaultsAreTheIssuesFleetFiftyPairsTenInFlightWithACanaryWaveOfTen() {
        RealFleetBench.Settings settings = RealFleet.settings(args());
        assertEquals(50, settings.pairs());
        assertEquals(10, settings.inFlight());
        assertEquals(10, settings.canary(), "a canary wave as big as the others keeps the waves at ceil(50 / 10)");
        assertEquals(Path.of("/bin/sh"), settings.python());
    }

    @Test
    void badOptionsAreRefusedNamingTheOption() {
        List<String[]> bad = List.of(
                args("--pairs", "0"), args("--pairs", "501"), args("--pairs", "ten"), args("--pairs", "-1"),
                args("--in-flight", "0"), args("--in-flight", "1001"), args("--canary", "11"), args("--canary", "0"),
                args("--records", "0"), args("--rate", "0"), args("--rate", "NaN"), args("--rate", "Infinity"), args("--rate", "fast"),
                args("--pairs", "5", "--pairs", "6"), args("--bogus", "1"), args("pairs", "5"), args("--pairs"),
                new String[] {"--work", work.toString(), "--python", work.resolve("no-python").toString()});
        for (String[] arguments : bad) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RealFleet.settings(arguments),
                    Arrays.toString(arguments));
            assertTrue(refused.getMessage().contains("--") || refused.getMessage().contains("option"), refused.getMessage());
        }
        assertEquals(18, bad.size());
    }

    private String[] args(String... extra) {
        List<String> all = new ArrayList<>(List.of("--work", work.toString(), "--python", "/bin/sh"));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }
}
