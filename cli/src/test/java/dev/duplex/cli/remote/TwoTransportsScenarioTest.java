package dev.duplex.cli.remote;

import dev.duplex.cli.TestHome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Injector;
import dev.duplex.cli.CliRun;
import dev.duplex.cli.Installation;
import dev.duplex.cli.Services;
import dev.duplex.cli.demo.DemoImages;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import dev.duplex.server.DuplexServer;
import dev.duplex.server.ServerModule;
import dev.duplex.server.ServerSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The CLI's scenario (endpoint add … pair create … upgrade run … failover … deletes) on the local
 * driver with the kv example's images, run once in-process and once through a real
 * {@link DuplexServer} on a loopback port over the same embedded PostgreSQL: the two print the
 * same, once job numbers, driver refs and times are normalised. The remote CLI has a home of its
 * own, in which it must start no database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoTransportsScenarioTest {
    private static final List<String> VMS = List.of("kv-0", "kv-1", "kvc-0", "kvc-1");

    private Path dir;
    private String config;
    private String clientConfig;
    private Path clientHome;
    private Services services;
    private DuplexServer server;
    private String url;
    private Path adminToken;
    private Path viewerToken;
    private Path images;
    private final int[] ports = new int[4];
    private final String[] roleTokens = new String[4];

    @BeforeAll
    void start() throws Exception {
        dir = TestHome.create("duplex-two-transports");
        Path file = dir.resolve("duplex.properties");
        // The server's job claim loop and the in-process CLI share this installation and its database.
        Files.writeString(file, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\nduplex.job.stale-after=PT10S\n");
        config = file.toString();
        clientHome = dir.resolve("client-home");
        Path client = dir.resolve("client.properties");
        Files.writeString(client, "duplex.home=" + clientHome + "\n");
        clientConfig = client.toString();
        services = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
        server = services.get(Injector.class).createChildInjector(new ServerModule(new ServerSettings("127.0.0.1", 0, Optional.empty(), false,
                Duration.ofSeconds(30)))).getInstance(DuplexServer.class).start();
        url = "http://127.0.0.1:" + server.port();
        adminToken = token("scenario-admin", TokenRole.ADMIN);
        viewerToken = token("scenario-viewer", TokenRole.VIEWER);
        images = DemoImages.locate(Installation.current(), dir.resolve("images-home"));
        for (int i = 0; i < ports.length; i++) {
            ports[i] = freePort();
            roleTokens[i] = "rt" + i + Long.toHexString(System.nanoTime());
        }
    }

    @AfterAll
    void stop() {
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            services.close();
        }
    }

    private Path token(String name, TokenRole role) throws IOException {
        String secret = services.get(TokenService.class).create(name, role, "test").secret();
        Path file = dir.resolve(name + ".token");
        Files.writeString(file, secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void theScenarioPrintsTheSameInProcessAndThroughTheServer() throws Exception {
        String inProcess = String.join("\n", scenario(false));
        String remote = String.join("\n", scenario(true));
        // Kept for a reader of a failure: the two transcripts side by side.
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "two-transports-in-process.txt"), inProcess);
        Files.writeString(Path.of("target", "two-transports-remote.txt"), remote);
        assertEquals(inProcess, remote);
        assertFalse(Files.exists(clientHome.resolve("db")), "the remote CLI started no database of its own");
    }

    @Test
    void ctrlCDetachesFromTheServersUpgradeWhichGoesOnToItsEnd() throws Exception {
        int[] own = {freePort(), freePort()};
        String[] tokens = {"dt0" + Long.toHexString(System.nanoTime()), "dt1" + Long.toHexString(System.nanoTime())};
        List<String> vms = List.of("dt-0", "dt-1");
        try {
            local("endpoint", "add", "lab-dt", "--driver", "local");
            local("image", "register", "dt-v1", "--endpoint", "lab-dt", "--version", "v1", "--source", images.resolve("v1").toString());
            local("image", "register", "dt-v2", "--endpoint", "lab-dt", "--version", "v2", "--source", images.resolve("v2").toString());
            for (int system = 0; system < 2; system++) {
                local("volume", "create", "dt-db" + system, "--endpoint", "lab-dt", "--size", "1MiB");
                local("vm", "create", vms.get(system), "--endpoint", "lab-dt", "--image", "dt-v1", "--link", "dt-db" + system + ":db",
                        "-p", "env.KV_PORT=" + own[system], "-p", "env.KV_PEER=127.0.0.1:" + own[1 - system],
                        "-p", "env.KV_ROLE=" + (system == 0 ? "ACT" : "SBY"), "-p", "env.ROLE_TOKEN=" + tokens[system],
                        "-p", "env.KV_PEER_ROLE_TOKEN=" + tokens[1 - system]);
            }
            // Every health check and resync waits 1.5 s between asks: the run lasts long enough to press Ctrl-C in it.
            local("pair", "create", "dt", "--system0", "dt-0", "--system1", "dt-1", "--role-controller", "type=http",
                    "--role-controller", "member.dt-0.port=" + own[0], "--role-controller", "member.dt-1.port=" + own[1],
                    "--resync", "poll-ms=1500", "--resync", "timeout-ms=120000");
            local("vm", "start", "dt-0");
            local("vm", "start", "dt-1");
            await(own[0], "/health", "\"status\":\"ok\"");
            await(own[1], "/health", "\"status\":\"ok\"");
            await(own[1], "/sync", "\"in_sync\":true");

            Path log = dir.resolve("detach.log");
            // Started by a non-interactive shell in the background (a CI runner, nohup &), this JVM and its children
            // inherit SIGINT ignored, and a JVM keeps it so: env resets it, as Ctrl-C at a terminal finds it.
            ProcessBuilder command = new ProcessBuilder("env", "--default-signal=INT", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "dev.duplex.cli.Main", "--config", clientConfig, "--server", url, "--token-file",
                    adminToken.toString(), "upgrade", "run", "dt", "--image", "dt-v2");
            command.environment().keySet().removeIf(name -> name.startsWith("DUPLEX_"));
            Process cli = command.redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Instant deadline = Instant.now().plusSeconds(120);
            while (!Files.readString(log).contains("S22") && Instant.now().isBefore(deadline) && cli.isAlive()) {
                Thread.sleep(100);
            }
            assertTrue(cli.isAlive(), Files.readString(log));
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(cli.pid())).start().waitFor());
            assertTrue(cli.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the CLI detaches at once: " + Files.readString(log));
            String output = Files.readString(log);
            assertEquals(130, cli.exitValue(), output);
            java.util.regex.Matcher detached = java.util.regex.Pattern.compile("detached from job #(\\d+); it goes on on the server "
                    + java.util.regex.Pattern.quote(url + "/") + "; follow it with 'duplex upgrade status (\\d+) --watch'").matcher(output);
            assertTrue(detached.find(), output);
            assertEquals(detached.group(1), detached.group(2));
            String job = detached.group(1);
            assertTrue(output.contains("): RUNNING"), "it detached before the end: " + output);
            assertFalse(output.matches("(?s).*S29\\s+done in.*"), "it detached before the end: " + output);

            CliRun watched = CliRun.withConfig(clientConfig, "--server", url, "--token-file", adminToken.toString(), "upgrade", "status", job,
                    "--watch");
            assertEquals(0, watched.exitCode(), watched.toString());
            assertTrue(watched.out().matches("(?s).*S29\\s+done in.*"), watched.toString());
            assertTrue(watched.out().contains("Job " + job + " (upgrade of dt, strategy link): SUCCEEDED"), "not cancelled: " + watched);
        } finally {
            for (String vm : vms) {
                CliRun.withConfig(config, "vm", "stop", vm, "--force");
            }
            CliRun.withConfig(config, "pair", "delete", "dt");
            for (String vm : vms) {
                CliRun.withConfig(config, "vm", "delete", vm);
            }
            for (int system = 0; system < 2; system++) {
                CliRun.withConfig(config, "volume", "delete", "dt-db" + system, "--force");
            }
            CliRun.withConfig(config, "image", "delete", "dt-v1");
            CliRun.withConfig(config, "image", "delete", "dt-v2");
            CliRun.withConfig(config, "endpoint", "remove", "lab-dt");
        }
    }

    private void local(String... args) {
        CliRun result = CliRun.withConfig(config, args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + "\n" + result);
    }

    @Test
    void aBadTokenFileTokenOrServerIsOneLineNamingItAndWhatToDo() throws Exception {
        Path open = dir.resolve("open.token");
        Files.writeString(open, Files.readString(adminToken));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("duplex: Token file " + open + " is open to other users (mode rw-r--r--); it holds a secret: run 'chmod 600 " + open + "'",
                failRemote(url, open, "vm", "list"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-rw----"));
        assertTrue(failRemote(url, open, "vm", "list").contains("run 'chmod 600 " + open + "'"));

        Path missing = dir.resolve("no-such.token");
        assertTrue(failRemote(url, missing, "vm", "list").startsWith("duplex: No token file " + missing + "; on the server's host run"
                + " 'duplex token create NAME --role operator'"));

        Path empty = dir.resolve("empty.token");
        Files.writeString(empty, "\n");
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
        assertTrue(failRemote(url, empty, "vm", "list").contains("holds no token on its first line"));

        Path wrong = dir.resolve("wrong.token");
        Files.writeString(wrong, "dpx_0123456789abcdef_" + "A".repeat(43) + "\n");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
        String refused = failRemote(url, wrong, "vm", "list");
        assertTrue(refused.startsWith("duplex: The Duplex server at " + url + "/ refused the token in " + wrong), refused);
        assertFalse(refused.contains("AAAA"), "the token is never shown");

        String forbidden = failRemote(url, viewerToken, "volume", "create", "never", "--endpoint", "lab", "--size", "1MiB");
        assertTrue(forbidden.startsWith("duplex: The token in " + viewerToken + " may not do this on the Duplex server at " + url + "/"),
                forbidden);
        assertEquals("duplex: No volume named 'never' in the inventory", failRemote(url, viewerToken, "volume", "show", "never"),
                "a viewer reads; the volume was not created");

        int closed = freePort();
        assertTrue(failRemote("http://127.0.0.1:" + closed, adminToken, "vm", "list").startsWith("duplex: Cannot reach the Duplex server at"
                + " http://127.0.0.1:" + closed + "/ (connection refused); start it there with 'duplex server'"));
        assertTrue(failRemote("http://duplex.example:8443", adminToken, "vm", "list").contains("is plain HTTP to another host"));
        assertTrue(failRemote("ftp://127.0.0.1:1", adminToken, "vm", "list").contains("is not an http:// or https:// URL"));
        assertTrue(failRemote("http://user:secret@127.0.0.1:1", adminToken, "vm", "list").contains("has more than scheme, host and port"));
        assertFalse(failRemote("http://user:secret@127.0.0.1:1", adminToken, "vm", "list").contains("secret"), "no password in a message");
        assertTrue(failRemote(url, adminToken, "token", "list").contains("works on this host's database only"));

        // Hostile names reach no other resource: refused in one escaped line, as in-process.
        for (String name : List.of("..", "../../etc", "x/y", "a%2Fb", "db\n0", "\u001b]0;owned\u0007", "?force=true", "#frag")) {
            String line = failRemote(url, adminToken, "volume", "delete", name);
            assertTrue(line.startsWith("duplex: ") && line.chars().noneMatch(c -> c < 0x20 || c == 0x7f), line);
        }
        assertFalse(Files.exists(clientHome.resolve("db")), "no command through a server started a database here");
    }

    private String failRemote(String server, Path token, String... args) {
        List<String> full = new ArrayList<>(List.of("--server", server, "--token-file", token.toString()));
        full.addAll(List.of(args));
        CliRun result = CliRun.withConfig(clientConfig, full.toArray(String[]::new));
        assertEquals(1, result.exitCode(), String.join(" ", full) + "\n" + result);
        assertEquals(1, result.err().lines().count(), "one line: " + result.err());
        return result.err().strip();
    }

    /** Runs the scenario one way; what each command printed (and its exit code), normalised. */
    private List<String> scenario(boolean remote) throws Exception {
        List<String> printed = new ArrayList<>();
        try {
            printed.add(run(remote, 0, "endpoint", "add", "lab", "--driver", "local"));
            printed.add(run(remote, 0, "image", "register", "kv-v1", "--endpoint", "lab", "--version", "v1", "--source",
                    images.resolve("v1").toString()));
            printed.add(run(remote, 0, "image", "register", "kv-v2", "--endpoint", "lab", "--version", "v2", "--source",
                    images.resolve("v2").toString()));
            for (String volume : List.of("kv-db0", "kv-db1", "kvc-db0", "kvc-db1")) {
                printed.add(run(remote, 0, "volume", "create", volume, "--endpoint", "lab", "--size", "1MiB"));
            }
            for (int system = 0; system < 2; system++) {
                printed.add(run(remote, 0, "vm", "create", "kv-" + system, "--endpoint", "lab", "--image", "kv-v1", "--link",
                        "kv-db" + system + ":db", "-p", "env.KV_PORT=" + ports[system], "-p", "env.KV_PEER=127.0.0.1:" + ports[1 - system],
                        "-p", "env.KV_ROLE=" + (system == 0 ? "ACT" : "SBY"), "-p", "env.ROLE_TOKEN=" + roleTokens[system],
                        "-p", "env.KV_PEER_ROLE_TOKEN=" + roleTokens[1 - system]));
            }
            printed.add(run(remote, 0, "pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--role-controller", "type=http",
                    "--role-controller", "member.kv-0.port=" + ports[0], "--role-controller", "member.kv-1.port=" + ports[1]));
            printed.add(run(remote, 0, "vm", "start", "kv-0"));
            printed.add(run(remote, 0, "vm", "start", "kv-1"));
            await(ports[0], "/health", "\"status\":\"ok\"");
            await(ports[1], "/health", "\"status\":\"ok\"");
            await(ports[1], "/sync", "\"in_sync\":true");
            printed.add(run(remote, 0, "endpoint", "list"));
            printed.add(run(remote, 0, "image", "list"));
            printed.add(run(remote, 0, "volume", "list"));
            printed.add(run(remote, 0, "vm", "list"));
            printed.add(run(remote, 0, "pair", "list"));
            printed.add(run(remote, 0, "pair", "show", "kv"));
            printed.add(run(remote, 0, "vm", "show", "kv-0", "--output", "json"));
            printed.add(run(remote, 0, "volume", "show", "kv-db0"));
            printed.add(run(remote, 0, "upgrade", "run", "kv", "--image", "kv-v2", "--dry-run"));
            printed.add(run(remote, 0, "upgrade", "run", "kv", "--image", "kv-v2", "--strategy", "link"));
            printed.add(run(remote, 0, "upgrade", "run", "kv", "--image", "kv-v2"));
            printed.add(run(remote, 0, "upgrade", "status", "kv"));
            printed.add(run(remote, 0, "vm", "show", "kv-1"));
            printed.add(run(remote, 1, "vm", "show", "nope"));
            printed.add(run(remote, 1, "vm", "delete", "kv-0"));
            printed.add(run(remote, 1, "volume", "delete", "kv-db0"));
            printed.add(run(remote, 1, "image", "delete", "kv-v2"));
            printed.add(run(remote, 1, "pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1"));

            // A cold pair for the failover: its standby is off until the failover starts it.
            for (int system = 0; system < 2; system++) {
                String vm = "kvc-" + system;
                List<String> args = new ArrayList<>(List.of("vm", "create", vm, "--endpoint", "lab", "--image", "kv-v2", "--link",
                        "kvc-db" + system + ":db", "-p", "env.KV_PORT=" + ports[2 + system], "-p", "env.ROLE_TOKEN=" + roleTokens[2]));
                if (system == 0) {
                    args.addAll(List.of("-p", "env.KV_ROLE=ACT"));
                }
                printed.add(run(remote, 0, args.toArray(String[]::new)));
            }
            printed.add(run(remote, 0, "pair", "create", "kvc", "--system0", "kvc-0", "--system1", "kvc-1", "--standby", "cold",
                    "--role-controller", "type=http", "--role-controller", "member.kvc-0.port=" + ports[2], "--role-controller",
                    "member.kvc-1.port=" + ports[3]));
            printed.add(run(remote, 0, "vm", "start", "kvc-0"));
            await(ports[2], "/health", "\"status\":\"ok\"");
            printed.add(run(remote, 0, "failover", "kvc", "--dry-run"));
            printed.add(run(remote, 0, "failover", "kvc"));
            printed.add(run(remote, 0, "pair", "show", "kvc"));
            printed.add(run(remote, 0, "jobs", "list", "--limit", "2"));

            for (String vm : VMS) {
                printed.add(run(remote, 0, "vm", "stop", vm, "--force"));
            }
            printed.add(run(remote, 0, "pair", "delete", "kv"));
            printed.add(run(remote, 0, "pair", "delete", "kvc"));
            for (String vm : VMS) {
                printed.add(run(remote, 0, "vm", "delete", vm));
            }
            for (String volume : List.of("kv-db0", "kv-db1", "kvc-db0", "kvc-db1")) {
                printed.add(run(remote, 0, "volume", "delete", volume, "--force"));
            }
            printed.add(run(remote, 0, "image", "delete", "kv-v1"));
            printed.add(run(remote, 0, "image", "delete", "kv-v2"));
            printed.add(run(remote, 0, "endpoint", "remove", "lab"));
            printed.add(run(remote, 0, "vm", "list"));
        } finally {
            for (String vm : VMS) {
                CliRun.withConfig(config, "vm", "stop", vm, "--force"); // whatever failed above, no kv process outlives the test
            }
        }
        return printed;
    }

    /** One command, in-process or through the server; its exit code must be {@code expected}. */
    private String run(boolean remote, int expected, String... args) {
        CliRun result;
        if (remote) {
            List<String> full = new ArrayList<>(List.of("--server", url, "--token-file", adminToken.toString()));
            full.addAll(List.of(args));
            result = CliRun.withConfig(clientConfig, full.toArray(String[]::new));
        } else {
            result = CliRun.withConfig(config, args);
        }
        String command = String.join(" ", args);
        assertEquals(expected, result.exitCode(), (remote ? "remote: " : "in-process: ") + command + "\n" + result);
        return normalised("$ " + command + "\nexit " + result.exitCode() + "\n" + result.out() + "--- err\n" + result.err());
    }

    /**
     * Job numbers, driver refs and times differ from run to run, and so does what the planner learnt
     * from the runs before; the actor is the OS user in-process and the token's name through the
     * server (the audit log's rule). Column widths follow those, so runs of spaces count as one.
     * Progress lines of a step that waits come or not, and say what they saw, by timing alone.
     */
    static String normalised(String text) {
        return text.replaceAll("(?m)^.*\\b(waiting for|still waiting for|still running:) .*\\R", "")
                .replaceAll("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z", "<time>")
                .replaceAll("(?<![0-9.])\\d+(\\.\\d+)? ?(ms|s|µs)\\b", " <duration>")
                .replaceAll("\\bPT[0-9.HMS]+\\b", "<duration>")
                .replaceAll("#\\d+", "#<job>")
                .replaceAll("\\bJob \\d+", "Job <job>")
                .replaceAll("(?m)^\\d+( +)", "<job>$1")
                .replaceAll("\"job\" : \\d+", "\"job\" : <job>")
                .replaceAll("\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b", "<ref>")
                .replaceAll("\\b([a-z0-9-]+?)(-j\\d+)?-[0-9a-f]{8}\\b", "$1-<ref>")
                .replaceAll("\\((assumed [a-z]+ time|mean of \\d+ earlier [a-z]+ steps?)\\)", "(<learnt>)")
                .replace("token:scenario-admin", "<actor>")
                .replace(dev.duplex.engine.audit.Actor.operatingSystemUser().name(), "<actor>")
                .replaceAll(" {2,}", " ");
    }

    private static void await(int port, String path, String expected) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plusSeconds(90);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200 && response.body().replace(" ", "").contains(expected)) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("kv member on :" + port + " did not answer " + expected + " on " + path + "; last: " + last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
