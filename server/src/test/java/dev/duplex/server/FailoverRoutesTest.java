package dev.duplex.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.VolumeLink;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.service.CreateVm;
import dev.duplex.engine.service.CreateVolume;
import dev.duplex.engine.service.EnvironmentService;
import dev.duplex.engine.service.PairService;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.VolumeService;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /api/v1/pairs/{name}/failover} on a real embedded PostgreSQL, the local driver and a
 * cold pair of the kv example set up as the README's {@code kvc} (the active serving, its
 * environment info pushed, the standby off): refusals, the dry run that touches nothing, and the
 * failover run as a job that the job list shows with its times.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverRoutesTest {
    private static final Actor SETUP = new Actor("test-setup");

    private RunningServer running;
    private DuplexServer server;
    private Api api;
    private String viewer;
    private String operator;
    private final List<String> members = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        running = new RunningServer();
        server = running.start(RunningServer.loopback());
        api = Api.of(server);
        TokenService tokens = running.get(TokenService.class);
        viewer = tokens.create("fo-viewer", TokenRole.VIEWER, "test").secret();
        operator = tokens.create("fo-operator", TokenRole.OPERATOR, "test").secret();
    }

    @AfterAll
    void stop() {
        for (String member : members) {
            try {
                running.get(VmService.class).stop(member, true, SETUP);
            } catch (RuntimeException e) {
                // already stopped
            }
        }
        if (server != null) {
            server.stop();
        }
        if (running != null) {
            running.close();
        }
    }

    private static void assertProblem(Api.Answer answer, int status, String family, String... mentions) {
        assertEquals(status, answer.status(), answer.toString());
        assertTrue(answer.contentType().startsWith("application/problem+json"), answer.toString());
        JsonNode problem = answer.json();
        assertEquals("urn:duplex:problem:" + family, problem.get("type").asText(), answer.toString());
        String detail = problem.get("detail").asText();
        assertFalse(detail.contains("\n"), "one line: " + problem);
        for (String mention : mentions) {
            assertTrue(detail.contains(mention), "'" + mention + "' in: " + detail);
        }
    }

    @Test
    void aViewerGets403AndMalformedRequestsAreRefusedNamingTheField() throws Exception {
        assertProblem(api.post("/api/v1/pairs/anything/failover", viewer, ""), 403, "forbidden");
        assertProblem(api.post("/api/v1/pairs/anything/failover", null, ""), 401, "unauthorized");
        assertProblem(api.post("/api/v1/pairs/no-such-pair/failover", operator, ""), 404, "not-found", "no-such-pair");
        assertProblem(api.post("/api/v1/pairs/no-such-pair/failover", operator, "{\"dryRun\":true}"), 404, "not-found");
        List<String> hostile = List.of("{\"full\":\"true\"}", "{\"full\":1}", "{\"dryRun\":null}", "{\"force\":\"yes\"}", "{\"fast\":true}", "[true]", "true",
                "{\"full\":true", "{\"full\":true}{}", "{\"" + "x".repeat(5000) + "\":true}", "\u0000", "{\"dryRun\":{\"a\":1}}");
        for (String body : hostile) {
            Api.Answer answer = api.post("/api/v1/pairs/no-such-pair/failover", operator, body);
            assertProblem(answer, 400, "validation");
            assertTrue(answer.body().length() < 2000, "a refusal does not echo a huge body: " + answer.body().length());
        }
        assertProblem(api.post("/api/v1/pairs/bad%0Aname/failover", operator, ""), 400, "validation");
        assertEquals(0, running.get(dev.duplex.engine.service.JobService.class).list(100).stream()
                .filter(j -> j.job().pair().equals("no-such-pair")).count(), "no refusal created a job");
    }

    @Test
    void anOperatorsFailoverIsAJobThatRunsToTheEndAndIsListedWithItsTimes() throws Exception {
        KvPair.prepare(running);
        String pair = startColdPair("kvc");

        // A dry run answers the plan and touches nothing.
        Api.Answer plan = api.post("/api/v1/pairs/" + pair + "/failover", operator, "{\"dryRun\":true}");
        assertEquals(200, plan.status(), plan.toString());
        JsonNode planned = plan.json();
        assertTrue(planned.get("dryRun").asBoolean());
        assertEquals(pair + "-0", planned.get("fence").asText());
        assertEquals(pair + "-1", planned.get("start").asText());
        assertEquals(7, planned.get("sync").get("toRevision").asLong(), planned.toString());
        assertTrue(Set.of("DIFF", "FULL").contains(planned.get("sync").get("chosen").asText()), planned.toString());
        assertEquals("FULL", api.post("/api/v1/pairs/" + pair + "/failover", operator, "{\"dryRun\":true,\"full\":true}").json()
                .get("sync").get("chosen").asText());
        assertEquals(0, api.get("/api/v1/pairs/" + pair, viewer).json().get("activeSystem").asInt());
        assertEquals("STOPPED", api.get("/api/v1/vms/" + pair + "-1", viewer).json().get("state").asText());
        assertFalse(api.get("/api/v1/jobs", viewer).body().contains("\"failover\""), "a dry run creates no job");

        Api.Answer accepted = api.post("/api/v1/pairs/" + pair + "/failover", operator, "");
        assertEquals(202, accepted.status(), accepted.toString());
        long job = accepted.json().get("job").asLong();
        String location = "/api/v1/jobs/" + job;
        assertEquals(location, accepted.header("Location").orElseThrow());

        // Its phases stream as events, then the job's end.
        HttpResponse<java.io.InputStream> stream = api.client().send(api.request(location + "/events", viewer)
                .header("Accept", "text/event-stream").timeout(Duration.ofMinutes(3)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        List<String> phasesStarted = new ArrayList<>();
        List<String> ended = new ArrayList<>();
        String finalState = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String event = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:") && event != null) {
                    JsonNode data = Api.JSON.readTree(line.substring(5).strip());
                    if (event.equals("step-started")) {
                        phasesStarted.add(data.get("step").asText());
                    }
                    if (event.equals("step-ended")) {
                        ended.add(data.get("step").asText());
                    }
                    if (event.equals("job-ended")) {
                        finalState = data.get("state").asText();
                        break;
                    }
                }
            }
        }
        assertEquals("SUCCEEDED", finalState, "phases ended: " + ended);
        assertEquals(List.of("fence", "sync", "start", "promote", "record-roles"), ended);
        // Subscribed right after the 202, however fast the job: its starts come live, not as the journal's settled lines.
        assertEquals(ended, phasesStarted);

        JsonNode detail = api.get(location, viewer).json();
        assertEquals("SUCCEEDED", detail.get("job").get("state").asText(), detail.toString());
        assertEquals("failover", detail.get("job").get("kind").asText());
        assertEquals("token:fo-operator", detail.get("job").get("requestedBy").asText());
        assertEquals(5, detail.get("steps").size(), detail.toString());
        assertEquals(1, api.get("/api/v1/pairs/" + pair, viewer).json().get("activeSystem").asInt(), "the standby is the active now");
        assertEquals("RUNNING", api.get("/api/v1/vms/" + pair + "-1", viewer).json().get("state").asText());

        JsonNode listed = null;
        for (JsonNode entry : api.get("/api/v1/jobs", viewer).json()) {
            if (entry.get("id").asLong() == job) {
                listed = entry;
            }
        }
        assertTrue(listed != null, "GET /api/v1/jobs lists the failover job");
        assertEquals("failover", listed.get("kind").asText());
        Instant created = Instant.parse(listed.get("createdAt").asText());
        Instant started = Instant.parse(listed.get("startedAt").asText());
        Instant finished = Instant.parse(listed.get("finishedAt").asText());
        assertFalse(started.isBefore(created) || finished.isBefore(started), listed.toString());
        assertEquals(1, api.get("/api/v1/jobs?limit=1", viewer).json().size());
        assertProblem(api.get("/api/v1/jobs?limit=lots", viewer), 400, "validation", "limit");
        assertProblem(api.get("/api/v1/jobs?limit=0", viewer), 400, "validation");
        for (String hostile : new String[] {"-1", "10001", "99999999999", "1e3", "%0A5", "5%27%22"}) {
            assertProblem(api.get("/api/v1/jobs?limit=" + hostile, viewer), 400, "validation");
        }
        assertEquals(404, api.get("/api/v1/job-history", viewer).status(), "one job list: /api/v1/jobs");

        assertTrue(running.get(AuditLog.class).recent(50).stream().anyMatch(e -> e.action().equals("pair.failover")
                && e.object().equals("pair/" + pair) && e.actor().name().equals("token:fo-operator")), "the audit log names the token");
    }

    /**
     * A cold pair as the README's {@code kvc}: two VMs of kv-v2 on their own database volumes, the
     * active started and serving, the standby off, the active's environment info (revision 7) pushed.
     */
    private String startColdPair(String name) throws Exception {
        int[] ports = {freePort(), freePort()};
        String token = Long.toHexString(System.nanoTime());
        List<String> pairMembers = List.of(name + "-0", name + "-1");
        for (int system = 0; system < 2; system++) {
            String volume = name + "-db" + system;
            running.get(VolumeService.class).create(new CreateVolume(volume, KvPair.ENDPOINT, 1 << 20, "database", Map.of()), SETUP);
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("env.KV_PORT", Integer.toString(ports[system]));
            properties.put("env.ROLE_TOKEN", token);
            if (system == 0) {
                properties.put("env.KV_ROLE", "ACT");
            }
            running.get(VmService.class).create(new CreateVm(pairMembers.get(system), KvPair.ENDPOINT, "kv-v2",
                    List.of(new LinkRecord(volume, "db", VolumeLink.Mode.MOUNT_AT_BOOT)), properties), SETUP);
            members.add(pairMembers.get(system));
        }
        Map<String, String> roleController = new LinkedHashMap<>();
        roleController.put("type", "http");
        for (int system = 0; system < 2; system++) {
            roleController.put("member." + pairMembers.get(system) + ".port", Integer.toString(ports[system]));
        }
        running.get(PairService.class).create(new CreatePair(name, pairMembers.get(0), pairMembers.get(1), 0, StandbyKind.COLD,
                roleController, Map.of()), SETUP);
        running.get(VmService.class).start(pairMembers.get(0), false, SETUP);
        awaitHealthy(ports[0]);
        running.get(EnvironmentService.class).push(name, new EnvironmentSnapshot(7, List.of(
                new EnvironmentItem("settings", new byte[4096]),
                new EnvironmentItem("configuration", ("port=" + ports[0] + "\n").getBytes(StandardCharsets.UTF_8)))), SETUP);
        return name;
    }

    private static void awaitHealthy(int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plusSeconds(90);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200 && response.body().replace(" ", "").contains("\"status\":\"ok\"")) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("kv member on :" + port + " did not report healthy; last: " + last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
