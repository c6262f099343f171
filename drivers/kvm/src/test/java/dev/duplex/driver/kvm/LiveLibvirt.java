package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.api.DriverConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The live tier's peer: a real libvirtd in session mode, run as nobody with all its state in a
 * temporary folder, QEMU in software emulation, and the tiny guest (software v1 and v2) built from
 * Debian packages. Everything is made by the project's own scripts in {@code .ci/kvm}; one peer
 * per test JVM, stopped when the JVM exits ({@code DUPLEX_KVM_KEEP_STATE=1} keeps its folder).
 *
 * <p>When the Debian packages are missing the live tests are skipped with a message saying how to
 * install them, except in CI ({@code CI=true}): there a skipped live tier is a failure, and as
 * root the packages are installed first.
 */
final class LiveLibvirt {
    static final Path GUEST = Path.of(System.getenv().getOrDefault("DUPLEX_KVM_GUEST", "/var/tmp/duplex-kvm-guest"));
    private static final List<Path> REQUIRED = List.of(
            Path.of("/usr/sbin/libvirtd"), Path.of("/usr/bin/virsh"), Path.of("/usr/bin/qemu-system-x86_64"),
            Path.of("/bin/busybox"), Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"));
    private static LiveLibvirt instance;
    private static String unavailable;

    final Path scripts;
    final Path stateDirectory;
    final String uri;
    final Map<String, Duration> setupTimes;

    private LiveLibvirt(Path scripts, Path stateDirectory, String uri, Map<String, Duration> setupTimes) {
        this.scripts = scripts;
        this.stateDirectory = stateDirectory;
        this.uri = uri;
        this.setupTimes = setupTimes;
    }

    /** The peer, started on first use; skips (or in CI fails) the calling test when it cannot run here. */
    static synchronized LiveLibvirt get() {
        if (instance != null) {
            return instance;
        }
        if (unavailable != null) {
            skip(unavailable);
        }
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        Path scripts = scriptFolder();
        var times = new java.util.LinkedHashMap<String, Duration>();
        Optional<Path> missing = REQUIRED.stream().filter(p -> !Files.exists(p)).findFirst();
        if (missing.isPresent()) {
            if (ci && isRoot()) {
                times.put("install packages", run(Duration.ofMinutes(10), scripts.resolve("install-packages.sh").toString()).time());
            } else {
                unavailable = "The KVM live tier needs Debian's libvirt, QEMU, busybox-static and OVMF packages (" + missing.get()
                        + " is missing): run 'sudo .ci/kvm/install-packages.sh' to run it";
                skip(unavailable);
            }
        }
        if (!isRoot()) {
            unavailable = "The KVM live tier runs libvirtd as user nobody and reads its volumes directly: run it as root";
            skip(unavailable);
        }
        times.put("build guest", run(Duration.ofMinutes(5), scripts.resolve("build-guest.sh").toString(), GUEST.toString()).time());
        Path state;
        try {
            state = Files.createTempDirectory(Path.of("/tmp"), "dxlv.");
        } catch (IOException e) {
            throw new IllegalStateException("could not make the libvirtd state folder", e);
        }
        Result started = run(Duration.ofMinutes(1), scripts.resolve("start-libvirtd.sh").toString(), state.toString());
        times.put("libvirtd up", started.time());
        String uri = started.output().strip().lines().reduce((a, b) -> b).orElseThrow();
        instance = new LiveLibvirt(scripts, state, uri, times);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            var stop = new ProcessBuilder(scripts.resolve("stop-libvirtd.sh").toString(), state.toString()).inheritIO();
            try {
                stop.start().waitFor(60, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException ignored) {
                // the JVM is exiting
            }
        }, "stop-test-libvirtd"));
        System.out.println("KVM live peer: " + uri + " set up in " + times);
        return instance;
    }

    /** An endpoint config for this peer, with a directory pool in its state folder. */
    DriverConfig config(String endpoint, Map<String, String> extra) {
        var properties = new HashMap<String, String>();
        properties.put("pool", "duplex");
        properties.put("pool-path", stateDirectory.resolve("pool").toString());
        properties.put("stop-grace-ms", "60000");
        properties.putAll(extra);
        return new DriverConfig(endpoint, uri, properties, Optional.empty(), stateDirectory.resolve("work"));
    }

    /** The source folder of guest software version {@code v1} or {@code v2}. */
    static String guest(String version) {
        return GUEST.resolve(version).toString();
    }

    private static void skip(String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and the KVM live tier would be skipped: " + message);
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

    private static Path scriptFolder() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".ci/kvm");
            if (Files.isRegularFile(candidate.resolve("start-libvirtd.sh"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find .ci/kvm above " + Path.of("").toAbsolutePath());
    }

    record Result(String output, Duration time) {}

    private static Result run(Duration timeout, String... command) {
        long began = System.nanoTime();
        try {
            Path log = Files.createTempFile("duplex-kvm-script", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeout);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (process.exitValue() != 0) {
                fail(String.join(" ", command) + " failed with exit code " + process.exitValue() + ":\n" + output);
            }
            return new Result(output, Duration.ofNanos(System.nanoTime() - began));
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command[0], e);
        }
    }
}
