package dev.duplex.cli.env;

import dev.duplex.cli.CliRun;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.cli.Installation;
import dev.duplex.cli.Services;
import dev.duplex.cli.demo.DemoImages;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S300 then S400 on the real local driver and the embedded PostgreSQL, through the {@code duplex}
 * command: a cold-standby pair, the active's info pushed, failover. The standby's store is then
 * read back through the local driver itself. In the first test every command starts the database
 * (seconds each), so this is the one such test.
 */
class FailoverEndToEndTest {
    private static final Pattern CREATED = Pattern.compile("VM (\\S+) created on lab from img as (\\S+)");

    @TempDir
    Path dir;

    private HypervisorDriver local;
    private final List<VmRef> vms = new ArrayList<>();

    @AfterEach
    void stopVms() {
        if (vms.isEmpty()) {
            return;
        }
        if (local == null) {
            local = connectLocal();
        }
        try {
            for (VmRef vm : vms) {
                try {
                    local.stop(vm, StopMode.FORCE);
                } catch (RuntimeException e) {
                    System.err.println("could not stop " + vm + ": " + e.getMessage());
                }
            }
        } finally {
            local.close();
        }
    }

    @Test
    void pushThenFailoverBootsTheStandbyWithTheActivesInfoAndItServesAsAct() throws Exception {
        Path images = DemoImages.locate(Installation.current(), dir.resolve("images-home"));
        byte[] settings = new byte[48 * 1024];
        new Random(11).nextBytes(settings);
        Path settingsFile = Files.write(dir.resolve("settings.bin"), settings);
        Path configurationFile = Files.writeString(dir.resolve("kv.conf"), "port=7000\nrole=active\n");
        int port0 = freePort();
        int port1 = freePort();
        String token = "e2e-" + Long.toHexString(new Random().nextLong());

        ok("endpoint", "add", "lab", "--driver", "local");
        ok("image", "register", "img", "--endpoint", "lab", "--version", "v2", "--source", images.resolve("v2").toString());
        ok("volume", "create", "db-0", "--endpoint", "lab", "--size", "64MiB");
        ok("volume", "create", "db-1", "--endpoint", "lab", "--size", "64MiB");
        VmRef active = created(ok("vm", "create", "kv-0", "--endpoint", "lab", "--image", "img", "--link", "db-0:db",
                "-p", "env.KV_PORT=" + port0, "-p", "env.KV_ROLE=ACT", "-p", "env.ROLE_TOKEN=" + token));
        VmRef standby = created(ok("vm", "create", "kv-1", "--endpoint", "lab", "--image", "img", "--link", "db-1:db",
                "-p", "env.KV_PORT=" + port1, "-p", "env.ROLE_TOKEN=" + token));
        ok("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--standby", "cold",
                "--role-controller", "type=http", "--role-controller", "member.kv-0.port=" + port0,
                "--role-controller", "member.kv-1.port=" + port1);
        ok("vm", "start", "kv-0");
        assertEquals(200, put(port0, "before").statusCode(), "the active takes writes");

        CliRun push = ok("env", "push", "kv", "--item", "settings=" + settingsFile, "--item",
                "configuration=" + configurationFile, "--revision", "2");
        assertTrue(push.out().contains("stored the diff 0 -> 2 for the standby kv-1"), push.toString());

        CliRun plan = ok("failover", "kv", "--dry-run");
        assertTrue(plan.out().contains("1. fence    power kv-0 off"), plan.toString());
        assertTrue(plan.out().contains("revision 0 -> 2"), plan.toString());
        JsonNode planned = new ObjectMapper().readTree(ok("failover", "kv", "--dry-run", "--output", "json").out());
        assertEquals("kv-0", planned.get("old_active").asText(), planned.toString());
        assertEquals(2, planned.get("sync").get("to_revision").asLong(), planned.toString());
        assertEquals(200, put(port0, "during-the-dry-run").statusCode(), "a dry run fences nothing");
        JsonNode before = new ObjectMapper().readTree(ok("env", "status", "kv", "--output", "json").out());
        String would = before.get("failover_would").get("path").asText();

        CliRun failover = ok("failover", "kv", "--output", "json");
        JsonNode report = new ObjectMapper().readTree(failover.out());
        assertEquals("kv-1", report.get("new_active").asText(), failover.toString());
        assertTrue(report.get("fence_confirmed").asBoolean(), failover.toString());
        assertEquals(2, report.get("sync").get("to_revision").asLong(), failover.toString());
        assertEquals(planned.get("sync").get("chosen").asText(), report.get("sync").get("chosen").asText(), "the plan said what the failover did");
        assertEquals(report.get("sync").get("chosen").asText(), would, "env status said what the failover would choose: " + failover);
        assertTrue(report.get("phases").get("total_ms").isIntegralNumber() && report.get("phases").get("total_ms").asLong() > 0, failover.toString());
        assertTrue(report.get("phases").has("promote_ms"), failover.toString());
        assertTrue(failover.err().lines().anyMatch(l -> l.matches("\\s*[0-9.]+s\\s+promote\\s+wait for kv-1 to report healthy, make it the active")),
                "the phases show as they run, on stderr beside -o json: " + failover);

        // The application, not only the inventory, changed hands: the new active takes a write.
        HttpResponse<String> write = put(port1, "after");
        assertEquals(200, write.statusCode(), write.body());

        CliRun status = ok("env", "status", "kv", "--output", "json");
        JsonNode fields = new ObjectMapper().readTree(status.out());
        assertEquals("kv-1", fields.get("active").asText(), status.toString());
        assertEquals("kv-0", fields.get("standby_vm").asText(), status.toString());
        assertEquals(2, fields.get("active_revision").asLong(), status.toString());

        local = connectLocal();
        EnvironmentSnapshot synced = local.environment(standby).read();
        assertEquals(2, synced.revision());
        assertEquals(2, synced.items().size(), synced.toString());
        assertArrayEquals(settings, synced.item("settings").orElseThrow().content());
        assertArrayEquals(Files.readAllBytes(configurationFile), synced.item("configuration").orElseThrow().content());
        assertEquals(VmState.RUNNING, local.state(standby));
        assertEquals(VmState.STOPPED, local.state(active), "the old active is fenced");
    }

    @Test
    void aColdPairWithoutARoleControllerIsRefusedBeforeAnythingIsFenced() throws IOException {
        Path image = Files.createDirectories(dir.resolve("image"));
        Files.writeString(image.resolve("duplex-image.properties"), "version=1.0\ncommand=while true; do sleep 1; done\n");
        // the test above starts the database with every command; here it is held up, so the commands join it
        Path config = config();
        try (Services database = Services.start(DuplexConfig.resolve(List.of(config), List.of(config), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()))) {
            ok("endpoint", "add", "lab", "--driver", "local");
            ok("image", "register", "img", "--endpoint", "lab", "--version", "1.0", "--source", image.toString());
            VmRef active = created(ok("vm", "create", "kv-0", "--endpoint", "lab", "--image", "img"));
            created(ok("vm", "create", "kv-1", "--endpoint", "lab", "--image", "img"));
            ok("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--standby", "cold");
            ok("vm", "start", "kv-0");

            CliRun refused = run("failover", "kv");

            assertEquals(1, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains("cannot fail over") && refused.err().contains("--role-controller type=http"), refused.toString());
            local = connectLocal();
            assertEquals(VmState.RUNNING, local.state(active), "nothing was fenced");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static HttpResponse<String> put(int port, String key) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString("value of " + key)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private VmRef created(CliRun run) {
        Matcher matcher = CREATED.matcher(run.out());
        assertTrue(matcher.find(), run.toString());
        VmRef vm = new VmRef(matcher.group(2), matcher.group(1));
        vms.add(vm);
        return vm;
    }

    private CliRun ok(String... args) throws IOException {
        CliRun run = run(args);
        assertEquals(0, run.exitCode(), String.join(" ", args) + "\n" + run);
        return run;
    }

    private CliRun run(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--config", config().toString()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    private Path home() {
        return dir.resolve("home");
    }

    private Path config() throws IOException {
        Path file = dir.resolve("duplex.properties");
        if (Files.notExists(file)) {
            Files.writeString(file, "duplex.home=" + home() + "\nduplex.db.idle-stop=PT0S\n"); // the test deletes the home: the server stops with its last user
        }
        return file;
    }

    private HypervisorDriver connectLocal() {
        DriverProvider provider = ServiceLoader.load(DriverProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.kind().equals("local")).findFirst().orElseThrow();
        return provider.connect(new DriverConfig("lab", "local:", Map.of(), Optional.empty(),
                home().resolve("drivers").resolve("lab")));
    }
}
