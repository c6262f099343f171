package dev.duplex.cli.upgrade;

import dev.duplex.cli.TestHome;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.VmRef;
import dev.duplex.cli.CliRun;
import dev.duplex.cli.Installation;
import dev.duplex.cli.Services;
import dev.duplex.cli.demo.DemoImages;
import dev.duplex.cli.demo.KvApplication;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a pair whose two members live on different endpoints (two local endpoints, each with
 * its own state folder, images and volumes) is upgraded and failed over through the real CLI, with
 * the demo's kv service as the application and the embedded PostgreSQL. The plans name each
 * member's endpoint and driver; the upgrade links each member's new image to the volume on its own
 * endpoint; the failover fences the active through its endpoint's driver and syncs and starts the
 * standby through the other's; the new active serves writes and still holds what was written before.
 */
class CrossEndpointPairTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;
    private String config;
    private Services services;
    private final List<String> started = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        dir = TestHome.create("duplex-cross-endpoint");
        Path file = dir.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\n");
        config = file.toString();
        // One engine keeps the embedded PostgreSQL up between the commands, each of which is a real CLI run.
        services = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
    }

    @AfterEach
    void stop() {
        for (String vm : started) {
            run("vm", "stop", vm, "--force");
        }
        services.close();
        // The members' databases and state folders go with the test: nothing is left in /tmp on a shared host.
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    @Test
    void aPairAcrossTwoLocalEndpointsIsUpgradedThenFailedOverAndItsNewActiveServes() throws Exception {
        Path images = DemoImages.locate(Installation.current(), dir.resolve("images-home"));
        int[] ports = {freePort(), freePort()};
        String[] tokens = {token(), token()};
        List<String> endpoints = List.of("lab-a", "lab-b");
        for (int system = 0; system < 2; system++) {
            String endpoint = endpoints.get(system);
            ok("endpoint", "add", endpoint, "--driver", "local");
            // An image is registered per endpoint: each member's new image is the one on its own endpoint.
            for (String version : List.of("v1", "v2")) {
                ok("image", "register", "kv-" + version + "-" + system, "--endpoint", endpoint, "--version", version,
                        "--source", images.resolve(version).toString());
            }
            ok("volume", "create", "db-" + system, "--endpoint", endpoint, "--size", "16MiB");
            ok("vm", "create", "kv-" + system, "--endpoint", endpoint, "--image", "kv-v1-" + system, "--link", "db-" + system + ":db",
                    "-p", "env.KV_PORT=" + ports[system], "-p", "env.KV_PEER=127.0.0.1:" + ports[1 - system],
                    "-p", "env.KV_ROLE=" + (system == 0 ? "ACT" : "SBY"),
                    "-p", "env.ROLE_TOKEN=" + tokens[system], "-p", "env.KV_PEER_ROLE_TOKEN=" + tokens[1 - system]);
        }
        // Cold: the failover boots the standby; for the rolling upgrade both members run side by side first.
        ok("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--standby", "cold",
                "--role-controller", "type=http", "--role-controller", "member.kv-0.port=" + ports[0],
                "--role-controller", "member.kv-1.port=" + ports[1], "--resync", "timeout-ms=60000");
        for (String vm : List.of("kv-0", "kv-1")) {
            ok("vm", "start", vm);
            started.add(vm);
        }
        KvApplication kv = new KvApplication();
        kv.awaitHealthy("kv-0", ports[0], Duration.ofSeconds(60));
        kv.awaitHealthy("kv-1", ports[1], Duration.ofSeconds(60));
        assertEquals(200, put(ports[0], "before").statusCode(), "the active on lab-a takes writes");
        kv.awaitInSync("kv-1", ports[1], Duration.ofSeconds(60));

        // An image belongs to one endpoint: naming one that is not on a member's endpoint is refused, in one line, touching nothing.
        List<List<String>> wrongImages = List.of(
                List.of("upgrade", "plan", "kv", "--image", "kv-v2-0"),
                List.of("upgrade", "run", "kv", "--image", "kv-v2-0"),
                List.of("upgrade", "run", "kv", "--image", "kv-v2-0", "--image1", "kv-v2-0"),
                List.of("upgrade", "run", "kv", "--image", "kv-v2-1", "--image1", "kv-v2-1"),
                List.of("upgrade", "run", "kv", "--image", "kv-v2-1", "--image1", "kv-v2-0"),
                List.of("failover", "kv", "--dry-run"));
        for (List<String> args : wrongImages) {
            refused(args.toArray(String[]::new));
        }
        assertTrue(refused("upgrade", "run", "kv", "--image", "kv-v2-0").contains("kv-1 runs on endpoint 'lab-b'. Register the image on lab-b"
                + " and name that one for system 1 (--image1); nothing was touched."));
        for (int system = 0; system < 2; system++) {
            JsonNode vm = JSON.readTree(ok("vm", "show", "kv-" + system, "-o", "json"));
            assertEquals("kv-v1-" + system, vm.get("image").asText(), "nothing was touched: " + vm);
        }
        assertEquals("ACT", role(ports[0]));

        // The plan names each member's endpoint and driver, in the table and in JSON.
        String[] upgrade = {"kv", "--image", "kv-v2-0", "--image1", "kv-v2-1", "--strategy", "link"};
        String table = ok(concat(List.of("upgrade", "plan"), upgrade));
        assertTrue(table.contains("member kv-0 (system 0): endpoint lab-a, driver local, image kv-v1-0 -> kv-v2-0"), table);
        assertTrue(table.contains("member kv-1 (system 1): endpoint lab-b, driver local, image kv-v1-1 -> kv-v2-1"), table);
        JsonNode plan = JSON.readTree(ok(concat(List.of("upgrade", "plan"), upgrade, "-o", "json")));
        for (int system = 0; system < 2; system++) {
            JsonNode member = plan.get("members").get(system);
            assertEquals("kv-" + system, member.get("member").asText(), plan.toString());
            assertEquals(endpoints.get(system), member.get("endpoint").asText(), plan.toString());
            assertEquals("local", member.get("driver").asText(), plan.toString());
            assertEquals("kv-v2-" + system, member.get("new_image").asText(), plan.toString());
        }

        JsonNode report = JSON.readTree(ok(concat(List.of("upgrade", "run"), upgrade, "-o", "json")));
        assertEquals("SUCCEEDED", report.get("state").asText(), report.toString());
        for (int system = 0; system < 2; system++) {
            JsonNode vm = JSON.readTree(ok("vm", "show", "kv-" + system, "-o", "json"));
            assertEquals("kv-v2-" + system, vm.get("image").asText(), vm.toString());
            assertEquals(endpoints.get(system), vm.get("endpoint").asText(), "the new VM stays on its member's endpoint: " + vm);
            assertEquals("RUNNING", vm.get("state").asText(), vm.toString());
        }
        assertEquals("ACT", role(ports[1]), "system 1 (on lab-b) took over at the switchover");
        assertEquals(200, put(ports[1], "after-upgrade").statusCode(), "the new active on lab-b takes writes");

        // The failover of a cold pair boots a standby that is off: stop the one the upgrade left on lab-a.
        kv.awaitInSync("kv-0", ports[0], Duration.ofSeconds(60));
        ok("vm", "stop", "kv-0");
        byte[] settings = new byte[16 * 1024];
        new Random(15).nextBytes(settings);
        Path settingsFile = Files.write(dir.resolve("settings.bin"), settings);
        String push = ok("env", "push", "kv", "--item", "settings=" + settingsFile, "--revision", "3");
        assertTrue(push.contains("for the standby kv-0"), push);

        String dryRun = ok("failover", "kv", "--dry-run");
        assertTrue(dryRun.contains("1. fence    power kv-1 off (endpoint lab-b, driver local)"), dryRun);
        assertTrue(dryRun.contains("3. start    power kv-0 on (endpoint lab-a, driver local)"), dryRun);
        JsonNode failoverPlan = JSON.readTree(ok("failover", "kv", "--dry-run", "-o", "json"));
        assertEquals("lab-b", failoverPlan.get("old_active_at").get("endpoint").asText(), failoverPlan.toString());
        assertEquals("lab-a", failoverPlan.get("new_active_at").get("endpoint").asText(), failoverPlan.toString());
        assertEquals("local", failoverPlan.get("new_active_at").get("driver").asText(), failoverPlan.toString());

        JsonNode failover = JSON.readTree(ok("failover", "kv", "-o", "json"));
        assertEquals("kv-0", failover.get("new_active").asText(), failover.toString());
        assertTrue(failover.get("fence_confirmed").asBoolean(), failover.toString());
        assertEquals(3, failover.get("sync").get("to_revision").asLong(), failover.toString());

        // The new active on lab-a serves writes, and holds what was written on either endpoint before.
        assertEquals("ACT", role(ports[0]));
        assertEquals(200, put(ports[0], "after-failover").statusCode());
        assertEquals(200, get(ports[0], "before").statusCode(), "written before the upgrade, on lab-a");
        assertEquals(200, get(ports[0], "after-upgrade").statusCode(), "written on lab-b after the switchover");
        // The old active on lab-b is fenced: its driver reports it off, and nothing answers on its port.
        JsonNode old = JSON.readTree(ok("vm", "show", "kv-1", "-o", "json"));
        assertEquals("STOPPED", old.get("state").asText(), old.toString());
        assertThrows(ConnectException.class, () -> put(ports[1], "to-the-fenced-one"));
        // The standby's environment was synced on its own endpoint's store.
        JsonNode standby = JSON.readTree(ok("vm", "show", "kv-0", "-o", "json"));
        try (HypervisorDriver labA = local("lab-a")) {
            EnvironmentSnapshot synced = labA.environment(new VmRef(standby.get("driver_ref").asText(), "kv-0")).read();
            assertEquals(3, synced.revision());
            assertArrayEquals(settings, synced.item("settings").orElseThrow().content());
        }
    }

    private HypervisorDriver local(String endpoint) {
        DriverProvider provider = ServiceLoader.load(DriverProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.kind().equals("local")).findFirst().orElseThrow();
        return provider.connect(new DriverConfig(endpoint, "local:", Map.of(), Optional.empty(),
                dir.resolve("home").resolve("drivers").resolve(endpoint)));
    }

    private static String[] concat(List<String> head, String[] middle, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(middle));
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    private static String role(int port) throws IOException, InterruptedException {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/role"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(answer.body()).get("role").asText();
    }

    private static HttpResponse<String> put(int port, String key) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString("value of " + key)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(int port, String key) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv/" + key))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String token() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private String ok(String... args) {
        CliRun result = run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + "\nstdout: " + result.out() + "\nstderr: " + result.err());
        return result.out();
    }

    private String refused(String... args) {
        CliRun result = run(args);
        assertEquals(1, result.exitCode(), String.join(" ", args) + " should be refused\nstdout: " + result.out() + "\nstderr: " + result.err());
        assertEquals(1, result.err().lines().count(), "one line: " + result.err());
        assertTrue(result.err().startsWith("duplex: "), result.err());
        return result.err();
    }

        private CliRun run(String... args) {
        return CliRun.withConfig(config, args);
    }
}
