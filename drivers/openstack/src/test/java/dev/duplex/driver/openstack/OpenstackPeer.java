package dev.duplex.driver.openstack;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.api.DriverConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The tests' real peer: an OpenStack Zed subset from Debian's packages (Keystone, Glance,
 * Placement, Neutron's API, Nova with the fake compute driver, Cinder with the fake volume
 * driver) on 127.0.0.1, started by {@code src/test/peer/openstack-up.sh} once per test run (it
 * takes a minute or two) and stopped by {@code openstack-down.sh}, by the PIDs it recorded, when
 * the run ends. Without the packages the tests are skipped, unless {@code CI=true}: then they fail
 * (install them with {@code .ci/openstack/install-packages.sh}).
 *
 * <p>A test class uses it with {@code @ExtendWith(OpenstackPeer.Extension.class)} and implements
 * {@link User} to receive it before its {@code @BeforeAll} methods run.
 */
final class OpenstackPeer implements ExtensionContext.Store.CloseableResource {
    private static final Path SCRIPTS = Path.of(Optional.ofNullable(System.getenv("OPENSTACK_PEER_SCRIPTS")).orElse("src/test/peer"));
    private static final List<String> NEEDED = List.of("/usr/bin/keystone-manage", "/usr/bin/glance-api", "/usr/bin/nova-api",
            "/usr/bin/cinder-volume", "/usr/sbin/mariadbd", "/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/bin/uwsgi-core");

    private final Path state;
    private final Map<String, String> env;
    private final Path passwordFile;
    private final long startMillis;
    private final boolean ours;

    private OpenstackPeer(Path state, Map<String, String> env, Path passwordFile, long startMillis, boolean ours) {
        this.ours = ours;
        this.state = state;
        this.env = env;
        this.passwordFile = passwordFile;
        this.startMillis = startMillis;
    }

    /** A test class that uses the shared peer. */
    interface User {
        void usePeer(OpenstackPeer peer);
    }

    /** Starts the peer once per run (kept in the root store, closed at the end) and hands it to the test instance. */
    static final class Extension implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            OpenstackPeer peer = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(OpenstackPeer.class, key -> start(), OpenstackPeer.class);
            context.getTestInstance().filter(User.class::isInstance).map(User.class::cast)
                    .ifPresent(user -> user.usePeer(peer));
        }
    }

    static OpenstackPeer start() {
        String running = System.getenv("DUPLEX_OPENSTACK_PEER_STATE");
        if (running != null && !running.isBlank()) {
            awaitBackgroundInstall(); // CI starts the peer beside the build, after its packages
            return attach(Path.of(running));
        }
        awaitBackgroundInstall();
        Optional<String> missing = NEEDED.stream().filter(p -> !Files.isExecutable(Path.of(p))).findFirst();
        if (missing.isPresent()) {
            String message = "the OpenStack packages are missing (" + missing.get() + "); run .ci/openstack/install-packages.sh";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            assumeTrue(false, message);
        }
        try {
            Path state = Files.createTempDirectory("duplex-openstack-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path log = Path.of("target", "openstack-peer-up.log").toAbsolutePath();
            Files.createDirectories(log.getParent());
            long started = System.nanoTime();
            Process up = new ProcessBuilder(SCRIPTS.resolve("openstack-up.sh").toAbsolutePath().toString(), state.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!up.waitFor(15, TimeUnit.MINUTES) || up.exitValue() != 0) {
                up.destroyForcibly();
                stop(state);
                throw new IllegalStateException("the OpenStack peer did not start; see " + log + " and the logs in " + state + "/log");
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("OpenStack peer started in " + millis + " ms (state in " + state + ")");
            return new OpenstackPeer(state, readEnv(state), passwordFile(state, readEnv(state)), millis, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the OpenStack peer", e);
        }
    }

    /**
     * A peer someone started by hand with {@code openstack-up.sh STATE} (named by
     * {@code DUPLEX_OPENSTACK_PEER_STATE}), to run the tests again without a two-minute start
     * each time; it is left running.
     */
    private static OpenstackPeer attach(Path state) {
        try {
            Map<String, String> env = readEnv(state);
            return new OpenstackPeer(state, env, passwordFile(state, env), 0, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> readEnv(Path state) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(state.resolve("peer.env"), StandardCharsets.UTF_8)) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                env.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return Map.copyOf(env);
    }

    private static Path passwordFile(Path state, Map<String, String> env) throws IOException {
        Path password = state.resolve("password");
        Files.writeString(password, env.get("OS_PASSWORD") + "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        return password;
    }

    /**
     * CI installs the peer's packages beside the build (.ci/run), and there also starts the peer
     * named by {@code DUPLEX_OPENSTACK_PEER_STATE}; it names a status file in
     * {@code DUPLEX_OPENSTACK_INSTALL_STATUS}, which appears when that work ends, holding "ok",
     * "failed" (the install) or "peer-failed" (the peer's start). Without the variable there is
     * nothing to wait for.
     */
    private static void awaitBackgroundInstall() {
        String status = System.getenv("DUPLEX_OPENSTACK_INSTALL_STATUS");
        if (status == null || status.isBlank()) {
            return;
        }
        Path file = Path.of(status);
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MINUTES.toNanos(30);
        try {
            while (!Files.exists(file)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the OpenStack packages were still installing (or its peer starting) after 30 minutes; see "
                            + file.resolveSibling("openstack-install.log"));
                }
                Thread.sleep(2000);
            }
            String result = Files.readString(file, StandardCharsets.UTF_8).strip();
            System.out.println("OpenStack packages: install " + result + " after waiting "
                    + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s");
            if (result.equals("peer-failed")) {
                throw new IllegalStateException("the OpenStack peer did not start; see " + file.resolveSibling("openstack-up.log"));
            }
            if (!result.equals("ok")) {
                throw new IllegalStateException("installing the OpenStack packages failed; see " + file.resolveSibling("openstack-install.log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the OpenStack packages", e);
        }
    }

    /** How to reach the peer's project as its member user, with the given extra properties. */
    DriverConfig driverConfig(String endpoint, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(Map.of("project", env.get("OS_PROJECT_NAME"), "domain", env.get("OS_DOMAIN_NAME"),
                "flavor", env.get("OS_FLAVOR"), "poll-interval-ms", "100", "state-timeout-seconds", "120"));
        properties.putAll(extra);
        String uri = env.get("OS_AUTH_URL").replace("://", "://" + env.get("OS_USERNAME") + "@");
        return new DriverConfig(endpoint, uri, properties, Optional.of(passwordFile), state.resolve("work"));
    }

    /** A value of the peer's {@code peer.env} (endpoint, user names, passwords of the test cloud). */
    String env(String key) {
        String value = env.get(key);
        if (value == null) {
            throw new IllegalStateException("the peer's peer.env has no " + key);
        }
        return value;
    }

    Path state() {
        return state;
    }

    long startMillis() {
        return startMillis;
    }

    /** A service of the peer held still until {@link #close()} lets it go on. */
    interface Paused extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Pauses one of the peer's services (SIGSTOP to the process group {@code openstack-up.sh}
     * recorded for it in {@code STATE/pids}) until the handle is closed (SIGCONT): a cloud whose
     * scheduler or compute host does not answer, as a real one's sometimes does. Messages to it
     * wait in RabbitMQ meanwhile and are handled after.
     */
    Paused pause(String service) {
        String pid;
        try {
            pid = Files.readAllLines(state.resolve("pids"), StandardCharsets.UTF_8).stream().map(line -> line.split(" "))
                    .filter(fields -> fields.length == 2 && fields[1].equals(service)).map(fields -> fields[0]).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the peer started no service '" + service + "'; see " + state.resolve("pids")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        signal("STOP", pid);
        return () -> signal("CONT", pid);
    }

    private static void signal(String signal, String processGroup) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + processGroup).redirectErrorStream(true).start();
            String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " of process group " + processGroup + " failed: " + said);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + processGroup, e);
        }
    }

    /** A small image file whose content differs by version, to upload to Glance. */
    Path imageFile(String version) {
        Path file = state.resolve("image-" + version.replaceAll("[^A-Za-z0-9._-]", "_") + ".raw");
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, "duplex test image " + version + "\n".repeat(64));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    @Override
    public void close() {
        if (ours) {
            stop(state);
        }
    }

    private static void stop(Path state) {
        try {
            Process down = new ProcessBuilder(SCRIPTS.resolve("openstack-down.sh").toAbsolutePath().toString(), state.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            down.waitFor(2, TimeUnit.MINUTES);
            if (!"true".equals(System.getenv("DUPLEX_KEEP_OPENSTACK_STATE"))) {
                try (Stream<Path> files = Files.walk(state)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
