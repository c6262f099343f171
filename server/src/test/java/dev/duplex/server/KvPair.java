package dev.duplex.server;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.example.kv.ImageFolders;
import dev.duplex.example.kv.KvServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pair of the replicated key-value example on the local driver, set up as the README's
 * walk-through does (endpoint, images v1 and v2, two database volumes, two VMs, the pair with an
 * http role controller), up and in sync. Test set-up only: it writes the inventory directly.
 */
final class KvPair {
    static final String ENDPOINT = "lab";

    private final Inventory inventory;
    private final EndpointConnections connections;
    final String name;
    final List<String> members;

    private KvPair(Inventory inventory, EndpointConnections connections, String name, List<String> members) {
        this.inventory = inventory;
        this.connections = connections;
        this.name = name;
        this.members = members;
    }

    /** The endpoint and images kv-v1 and kv-v2, once per home. */
    static void prepare(RunningServer server) throws Exception {
        Inventory inventory = server.get(Inventory.class);
        if (inventory.endpoint(ENDPOINT).isPresent()) {
            return;
        }
        Path jar = Path.of(KvServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(jar) || "true".equals(System.getenv("CI")),
                "the kv example is not a jar here (" + jar + "); run through the reactor's verify");
        Path images = server.home.resolve("images");
        ImageFolders.write(jar, images);
        inventory.addEndpoint(new Endpoint(ENDPOINT, "local", "local:", Optional.empty(), Map.of()));
        HypervisorDriver driver = server.get(EndpointConnections.class).driver(ENDPOINT);
        for (String version : List.of("v1", "v2")) {
            ImageRef ref = driver.registerImage(new ImageSpec("kv-" + version, version, images.resolve(version).toString(), Map.of()));
            inventory.addImage(new ImageRecord("kv-" + version, ENDPOINT, version, ref.id()));
        }
    }

    /** Creates and starts a pair on kv-v1 and waits until both serve and the standby is in sync. */
    static KvPair start(RunningServer server, String name) throws Exception {
        return start(server, name, Map.of("timeout-ms", "120000"));
    }

    /** The same, with these resync gate settings ({@code poll-ms} makes every health check and resync wait that long between asks). */
    static KvPair start(RunningServer server, String name, Map<String, String> gate) throws Exception {
        Inventory inventory = server.get(Inventory.class);
        EndpointConnections connections = server.get(EndpointConnections.class);
        HypervisorDriver driver = connections.driver(ENDPOINT);
        int[] ports = {freePort(), freePort()};
        List<String> members = List.of(name + "-0", name + "-1");
        String[] tokens = {Long.toHexString(System.nanoTime()) + "a", Long.toHexString(System.nanoTime()) + "b"};
        ImageRecord v1 = inventory.image("kv-v1").orElseThrow();
        for (int system = 0; system < 2; system++) {
            String volume = name + "-db" + system;
            VolumeRef volumeRef = driver.createVolume(new VolumeSpec(volume, 1 << 20, "database", Map.of()));
            inventory.addVolume(new VolumeRecord(volume, ENDPOINT, volumeRef.id(), 1 << 20, "database"));
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("env.KV_PORT", Integer.toString(ports[system]));
            properties.put("env.KV_PEER", "127.0.0.1:" + ports[1 - system]);
            properties.put("env.KV_ROLE", system == 0 ? "ACT" : "SBY");
            properties.put("env.ROLE_TOKEN", tokens[system]);
            properties.put("env.KV_PEER_ROLE_TOKEN", tokens[1 - system]);
            VmRef vm = driver.createVm(new VmSpec(members.get(system), new ImageRef(v1.driverRef(), v1.name()),
                    List.of(new VolumeLink(new VolumeRef(volumeRef.id(), volume), "db", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));
            inventory.addVm(new VmRecord(members.get(system), ENDPOINT, vm.id(), v1.name(),
                    List.of(new LinkRecord(volume, "db", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));
        }
        Map<String, String> roleController = new LinkedHashMap<>();
        roleController.put("type", "http");
        for (int system = 0; system < 2; system++) {
            roleController.put("member." + members.get(system) + ".port", Integer.toString(ports[system]));
        }
        inventory.addPair(new PairRecord(name, members.get(0), members.get(1), 0, StandbyKind.HOT, roleController, gate));
        for (String member : members) {
            VmRecord vm = inventory.vm(member).orElseThrow();
            driver.start(new VmRef(vm.driverRef(), vm.name()));
        }
        await(ports[0], "/health", "\"status\":\"ok\"");
        await(ports[1], "/health", "\"status\":\"ok\"");
        await(ports[1], "/sync", "\"in_sync\":true");
        return new KvPair(inventory, connections, name, members);
    }

    /** Stops the pair's VMs as the inventory names them now. */
    void stop() {
        HypervisorDriver driver = connections.driver(ENDPOINT);
        for (String member : members) {
            inventory.vm(member).ifPresent(vm -> {
                try {
                    driver.stop(new VmRef(vm.driverRef(), vm.name()), StopMode.FORCE);
                } catch (RuntimeException e) {
                    // already stopped
                }
            });
        }
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
