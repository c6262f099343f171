package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another local user ({@code nobody:nogroup}) on the machine where Duplex runs as root, acting
 * through system programs only (sh, cat, cp, psql): it cannot run the test class path, which
 * lives under /root. Each attempt is counted by kind for the closing report.
 */
final class LocalAttacker {
    private final List<String> tried = new ArrayList<>();

    /** Skips when the test JVM is not root (it cannot switch user), but fails in CI, where it must run. */
    static LocalAttacker requireRoot() {
        boolean ci = requireRootOnly();
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv")) || !Files.isExecutable(Path.of("/usr/bin/psql"))) {
            if (ci) {
                fail("setpriv (util-linux) and psql (postgresql-client) are needed for the local-attacker tests");
            }
            assumeTrue(false, "setpriv or psql missing");
        }
        return new LocalAttacker();
    }

    /** Skips unless root (to switch user, chown, mount), but fails in CI, where these tests must run; returns whether in CI. */
    static boolean requireRootOnly() {
        boolean ci = "true".equals(System.getenv("CI"));
        if (!PrivateFiles.runningAsRoot()) {
            if (ci) {
                fail("This test needs root (to act as nobody, chown or mount) and CI=true says it must run");
            }
            assumeTrue(false, "not root");
        }
        return ci;
    }

    /** The output of {@code command} run by nobody; asserts it failed. */
    String fails(String kind, String description, String... command) throws IOException, InterruptedException {
        Result result = run(command);
        tried.add(kind);
        assertTrue(result.exit() != 0, "nobody succeeded in " + description + ": " + String.join(" ", command) + "\n" + result.output());
        return result.output();
    }

    /** A shell command as nobody, expected to fail. */
    String failsInShell(String kind, String description, String script) throws IOException, InterruptedException {
        return fails(kind, description, "sh", "-c", script);
    }

    /** psql as nobody, with a short connect timeout and no password unless given; expected to fail. */
    String psqlFails(String kind, String description, String host, int port, String user, String password, String sql)
            throws IOException, InterruptedException {
        String output = fails(kind, description, "env", "PGCONNECT_TIMEOUT=5", "PGPASSWORD=" + password, "/usr/bin/psql", "-w",
                "-X", "-h", host, "-p", Integer.toString(port), "-U", user, "-d", "duplex", "-c", sql);
        assertTrue(!output.contains("root:"), "nobody read a server file: " + output);
        return output;
    }

    record Result(int exit, String output) {}

    static Result run(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
        full.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).directory(Path.of("/").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("PG") || name.startsWith("DUPLEX"));
        builder.environment().put("HOME", "/nonexistent");
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("nobody's " + full + " hung");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** What was tried, counted by kind, as {@code connect=7, read=4}. */
    List<String> tried() {
        return List.copyOf(tried);
    }
}
