package dev.duplex.cli.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.cli.Main;
import dev.duplex.cli.Services;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The CLI against a real libvirtd (issue 6): {@code duplex drivers} lists {@code kvm},
 * {@code endpoint add --driver kvm} and {@code vm list} work on a session libvirtd started by the
 * KVM driver's own scripts ({@code .ci/kvm/start-libvirtd.sh}, as nobody, state in /tmp), and
 * each bad input the issue lists is exactly one {@code duplex: } line on stderr, exit 1, no stack
 * trace. Every command joins one embedded PostgreSQL kept up by this class, as
 * {@code InventoryCommandsTest} does.
 *
 * <p>Skipped with an install hint when Debian's libvirt/QEMU packages are absent, except with
 * {@code CI=true}, where a skip is a failure (and, as root, the packages are installed first).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvmCliLiveTest {
    private static final List<Path> REQUIRED = List.of(Path.of("/usr/sbin/libvirtd"), Path.of("/usr/bin/virsh"),
            Path.of("/usr/bin/qemu-system-x86_64"), Path.of("/bin/busybox"));
    private static final Path GUEST = Path.of(System.getenv().getOrDefault("DUPLEX_KVM_GUEST", "/var/tmp/duplex-kvm-guest"));
    private static final String UNREACHABLE = "qemu+unix:///session?socket=/nonexistent/sock";

    private Path scripts;
    private Path state;
    private String uri;
    private Path dir;
    private String config;
    private Services keepDatabaseUp;

    @BeforeAll
    void startLibvirtdAndDatabase() throws IOException {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        scripts = scriptFolder();
        Optional<Path> missing = REQUIRED.stream().filter(p -> !Files.exists(p)).findFirst();
        if (missing.isPresent()) {
            if (ci && isRoot()) {
                script(Duration.ofMinutes(10), "install-packages.sh");
            } else {
                skip("The KVM CLI test needs Debian's libvirt, QEMU and busybox-static packages (" + missing.get()
                        + " is missing): run 'sudo .ci/kvm/install-packages.sh' to run it");
            }
        }
        if (!isRoot()) {
            skip("The KVM CLI test starts libvirtd as user nobody (.ci/kvm/start-libvirtd.sh): run it as root");
        }
        script(Duration.ofMinutes(5), "build-guest.sh", GUEST.toString());
        state = Files.createTempDirectory(Path.of("/tmp"), "dxcli."); // short: QEMU's socket paths live under it
        uri = script(Duration.ofMinutes(1), "start-libvirtd.sh", state.toString()).strip().lines().reduce((a, b) -> b).orElseThrow();

        dir = Files.createTempDirectory("duplex-cli-kvm");
        Path file = dir.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\n"); // the test deletes the home: the server stops with its last user
        config = file.toString();
        keepDatabaseUp = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
    }

    @AfterAll
    void stop() throws IOException {
        if (keepDatabaseUp != null) {
            keepDatabaseUp.close();
        }
        if (state != null) {
            script(Duration.ofMinutes(1), "stop-libvirtd.sh", state.toString());
        }
    }

    @Test
    void driversEndpointAndVmListWorkAgainstTheRealLibvirtd() throws IOException {
        // Read as a script would: a table wraps a long capability list onto continuation lines.
        String drivers = ok("drivers", "--output", "json");
        boolean kvmListed = false;
        for (com.fasterxml.jackson.databind.JsonNode driver : new com.fasterxml.jackson.databind.ObjectMapper().readTree(drivers)) {
            kvmListed |= driver.path("kind").asText().equals("kvm")
                    && driver.path("capabilities").toString().contains("\"MOUNT_AT_BOOT\"")
                    && driver.path("capabilities").toString().contains("\"VOLUME_COPY\"");
        }
        assertTrue(kvmListed, "kvm with its capabilities: " + drivers);

        assertTrue(ok("endpoint", "add", "kvm1", "--driver", "kvm", "--uri", uri, "-p", "pool=duplex",
                "-p", "pool-path=" + state.resolve("pool")).contains("Endpoint kvm1 added (kvm, "));
        assertTrue(ok("endpoint", "list").lines().anyMatch(l -> l.startsWith("kvm1") && l.contains("kvm")));
        String empty = ok("vm", "list");
        assertFalse(empty.lines().anyMatch(l -> l.startsWith("vm-")), empty);

        ok("image", "register", "guest-v1", "--endpoint", "kvm1", "--version", "v1", "--source", GUEST.resolve("v1").toString());
        ok("volume", "create", "db-0", "--endpoint", "kvm1", "--size", "16MiB");
        ok("vm", "create", "vm-0", "--endpoint", "kvm1", "--image", "guest-v1", "--link", "db-0:vdb");
        assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("vm-0") && l.contains("STOPPED")));
        ok("vm", "start", "vm-0");
        assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("vm-0") && l.contains("RUNNING")));

        // Bad input: each one line naming the object, exit 1, no stack trace.
        String unreachable = refused("endpoint", "add", "kvm-gone", "--driver", "kvm", "--uri", UNREACHABLE);
        assertTrue(unreachable.contains("kvm-gone") && unreachable.contains("/nonexistent/sock"), unreachable);

        String noPool = refused("endpoint", "add", "kvm-nopool", "--driver", "kvm", "--uri", uri, "-p", "pool=nosuch");
        assertTrue(noPool.contains("'nosuch'") && noPool.contains("kvm-nopool"), noPool);

        String inUse = refused("vm", "create", "vm-x", "--endpoint", "kvm1", "--image", "guest-v1", "--link", "db-0:vdb");
        assertTrue(inUse.contains("db-0") && inUse.contains("vm-0"), inUse);

        // libvirt's QEMU driver refuses these domain definitions (the test hypervisor accepts both).
        String tooManyCpus = refused("vm", "create", "vm-huge", "--endpoint", "kvm1", "--image", "guest-v1", "-p", "vcpus=100000");
        assertTrue(tooManyCpus.contains("vm-huge") && tooManyCpus.contains("[VIR_ERR_"), tooManyCpus);
        ok("endpoint", "add", "kvm-xen", "--driver", "kvm", "--uri", uri, "-p", "pool=duplex", "-p", "domain-type=xen");
        String xen = refused("image", "register", "guest-xen", "--endpoint", "kvm-xen", "--version", "v1", "--source",
                GUEST.resolve("v1").toString());
        assertTrue(xen.contains("guest-xen") && xen.contains("[VIR_ERR_"), xen);

        assertFalse(ok("vm", "list").contains("vm-huge"), "a refused VM is not in the inventory");
        ok("vm", "stop", "vm-0", "--force");
        assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("vm-0") && l.contains("STOPPED")));
    }

    private String ok(String... args) {
        Result result = run(args);
        assertEquals(0, result.code(), String.join(" ", args) + "\nstdout: " + result.out() + "\nstderr: " + result.err());
        System.out.println("$ duplex " + String.join(" ", args) + "\n" + result.out());
        return result.out();
    }

    /** Exactly one line on stderr starting with {@code duplex: }, exit 1, no stack trace; returns the line. */
    private String refused(String... args) {
        Result result = run(args);
        System.out.println("$ duplex " + String.join(" ", args) + " -> exit " + result.code() + "\n" + result.err());
        assertEquals(1, result.code(), String.join(" ", args) + " should fail\nstdout: " + result.out() + "\nstderr: " + result.err());
        assertEquals(1, result.err().lines().count(), "one line: " + result.err());
        assertTrue(result.err().startsWith("duplex: "), result.err());
        assertFalse(result.err().contains("\tat ") || result.err().contains("Exception:"), result.err());
        return result.err().strip();
    }

    private Result run(String... args) {
        String[] full = new String[args.length + 2];
        full[0] = "--config";
        full[1] = config;
        System.arraycopy(args, 0, full, 2, args.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(full, java.util.Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private record Result(int code, String out, String err) {}

    private static void skip(String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and the KVM CLI live test would be skipped: " + message);
        }
        Assumptions.abort(message);
    }

    private static boolean isRoot() {
        try {
            return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** {@code .ci/kvm} of this checkout: the cli module's working folder is {@code cli/}, so it is found above it. */
    private static Path scriptFolder() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve(".ci/kvm");
            if (Files.isRegularFile(candidate.resolve("start-libvirtd.sh"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find .ci/kvm above " + Path.of("").toAbsolutePath());
    }

    /** Runs one of the KVM scripts; returns its output, fails the test on a non-zero exit. */
    private String script(Duration timeout, String name, String... arguments) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("sh", scripts.resolve(name).toString()));
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile("duplex-kvm-script", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeout);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                fail(String.join(" ", command) + " failed with exit code " + process.exitValue() + ":\n" + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + name, e);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
