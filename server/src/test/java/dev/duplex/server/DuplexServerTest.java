package dev.duplex.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The API as a client sees it, on a real embedded PostgreSQL and the local driver. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DuplexServerTest {
    private RunningServer running;
    private DuplexServer server;
    private Api api;
    private String viewer;
    private String operator;
    private final List<KvPair> pairs = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        running = new RunningServer();
        server = running.start(RunningServer.loopback());
        api = Api.of(server);
        TokenService tokens = running.get(TokenService.class);
        viewer = tokens.create("dashboard", TokenRole.VIEWER, "test").secret();
        operator = tokens.create("ci-deploy", TokenRole.OPERATOR, "test").secret();
    }

    @AfterAll
    void stop() {
        pairs.forEach(KvPair::stop);
        if (server != null) {
            server.stop();
        }
        if (running != null) {
            running.close();
        }
    }

    private static void assertProblem(Api.Answer answer, int status, String family) {
        assertEquals(status, answer.status(), answer.toString());
        assertTrue(answer.contentType().startsWith("application/problem+json"), answer.toString());
        JsonNode problem = answer.json();
        assertEquals("urn:duplex:problem:" + family, problem.get("type").asText(), answer.toString());
        assertEquals(status, problem.get("status").asInt());
        assertFalse(problem.get("detail").asText().isBlank());
        assertFalse(problem.get("detail").asText().contains("\n"), "one line: " + problem);
    }

    @Test
    void aRequestWithoutATokenGets401ProblemJson() throws Exception {
        Api.Answer answer = api.get("/api/v1/pairs", null);
        assertProblem(answer, 401, "unauthorized");
        assertEquals("Bearer realm=\"duplex\"", answer.header("WWW-Authenticate").orElse(""));
    }

    @Test
    void tokensThatAreNotLiveGet401WithoutEchoingThem() throws Exception {
        String revoked = running.get(TokenService.class).create("leaver", TokenRole.ADMIN, "test").secret();
        assertEquals(200, api.get("/api/v1/pairs", revoked).status());
        // Revoked out of band (the CLI, another node): refused here once the server's short memory of accepted tokens expires.
        running.get(TokenService.class).revoke("leaver", "test");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (api.get("/api/v1/pairs", revoked).status() == 200) {
            assertTrue(System.nanoTime() < deadline, "a revoked token is still accepted 10 s later");
            Thread.sleep(100);
        }
        List<String> bad = List.of(revoked, viewer.substring(0, viewer.length() - 1) + (viewer.endsWith("A") ? "B" : "A"), "dpx_", "x".repeat(5000),
                "dpx_0000000000000000_" + "A".repeat(43), "' OR 1=1 --", "Basic " + viewer);
        for (String token : bad) {
            Api.Answer answer = api.get("/api/v1/pairs", token);
            assertProblem(answer, 401, "unauthorized");
            assertFalse(answer.body().contains(token.length() > 8 ? token.substring(4) : "\u0000"), "the token is not echoed: " + answer);
        }
        Api.Answer basic = api.send(api.request("/api/v1/pairs", null).header("Authorization", "Basic dXNlcjpwYXNz").GET().build());
        assertProblem(basic, 401, "unauthorized");
    }

    @Test
    void aJobRunElsewhereStreamsFromItsJournalEachStepsStartThenItsEndAndResumesAfterTheLastEventId() throws Exception {
        dev.duplex.engine.inventory.Inventory inventory = running.get(dev.duplex.engine.inventory.Inventory.class);
        inventory.addEndpoint(new dev.duplex.engine.inventory.Endpoint("far-lab", "local", "local:", Optional.empty(), java.util.Map.of()));
        inventory.addImage(new dev.duplex.engine.inventory.ImageRecord("far-v1", "far-lab", "v1", "far-v1-ref"));
        for (String member : List.of("far-0", "far-1")) {
            inventory.addVm(new dev.duplex.engine.inventory.VmRecord(member, "far-lab", member + "-ref", "far-v1", List.of(), java.util.Map.of()));
        }
        inventory.addPair(new dev.duplex.engine.inventory.PairRecord("far", "far-0", "far-1", 0, dev.duplex.engine.inventory.StandbyKind.HOT,
                java.util.Map.of(), java.util.Map.of()));
        // Another node runs it: this server only has its journal.
        dev.duplex.engine.job.JobQueue jobs = running.get(dev.duplex.engine.job.JobQueue.class);
        long job = jobs.create("upgrade", "far", "someone", java.util.Map.of()).id();
        assertTrue(jobs.claim(job, "other-node", Duration.ofMinutes(5)).isPresent());
        jobs.stepStarted(job, "S21");
        jobs.stepDoneThenStarted(job, "S21", java.util.Map.of("vm-ref", "x"), "S22");

        HttpResponse<java.io.InputStream> stream = api.client().send(api.request("/api/v1/jobs/" + job + "/events", viewer)
                .header("Accept", "text/event-stream").timeout(Duration.ofMinutes(1)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertEquals(List.of("1 step-started S21", "2 step-ended S21", "3 step-started S22"), events(reader, 3),
                    "the running step's start comes before its end, as in-process");
            jobs.stepDone(job, "S22", java.util.Map.of());
            jobs.finish(job, dev.duplex.engine.job.JobState.SUCCEEDED, Optional.empty());
            assertEquals(List.of("4 step-ended S22", "5 job-ended SUCCEEDED"), events(reader, 2));
        }
        HttpResponse<java.io.InputStream> again = api.client().send(api.request("/api/v1/jobs/" + job + "/events", viewer)
                .header("Accept", "text/event-stream").header("Last-Event-ID", "2").timeout(Duration.ofMinutes(1)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(again.body(), StandardCharsets.UTF_8))) {
            assertEquals(List.of("3 step-started S22", "4 step-ended S22", "5 job-ended SUCCEEDED"), events(reader, 3));
        }
    }

    /** The next {@code count} events of a stream, each as "id type step" (a job's end: "id job-ended state"). */
    private static List<String> events(BufferedReader reader, int count) throws java.io.IOException {
        List<String> events = new ArrayList<>();
        String event = null;
        String id = null;
        while (events.size() < count) {
            String line = reader.readLine();
            assertTrue(line != null, "the stream ended after " + events);
            if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("id:")) {
                id = line.substring(3).strip();
            } else if (line.startsWith("data:") && event != null) {
                JsonNode data = Api.JSON.readTree(line.substring(5).strip());
                events.add(id + " " + event + " " + (event.equals("job-ended") ? data.get("state").asText() : data.get("step").asText()));
            }
        }
        return events;
    }

    @Test
    void aViewerReadsButItsPostOfAnUpgradeGets403() throws Exception {
        assertEquals(200, api.get("/api/v1/pairs", viewer).status());
        assertEquals(200, api.get("/api/v1/jobs", viewer).status());
        Api.Answer answer = api.post("/api/v1/pairs/any/upgrades", viewer, "{\"image\":\"kv-v2\"}");
        assertProblem(answer, 403, "forbidden");
        assertTrue(answer.json().get("detail").asText().contains("dashboard"), answer.toString());
    }

    @Test
    void anOperatorsUpgradeIsAcceptedRunsToTheEndAndTheAuditLogNamesTheToken() throws Exception {
        KvPair.prepare(running);
        KvPair pair = KvPair.start(running, "kvapi");
        pairs.add(pair);

        Api.Answer accepted = api.post("/api/v1/pairs/kvapi/upgrades", operator, "{\"image\":\"kv-v2\",\"strategy\":\"link\"}");
        assertEquals(202, accepted.status(), accepted.toString());
        String location = accepted.header("Location").orElseThrow();
        long job = accepted.json().get("job").asLong();
        assertEquals("/api/v1/jobs/" + job, location);
        // While it runs, the pair has a live job: a second upgrade is refused as a conflict, naming it.
        Api.Answer again = api.post("/api/v1/pairs/kvapi/upgrades", operator, "{\"image\":\"kv-v2\"}");
        assertProblem(again, 409, "conflict");

        // The progress stream: every step of S21-S29 ends, then the job does, SUCCEEDED.
        HttpResponse<java.io.InputStream> stream = api.client().send(api.request(location + "/events", viewer)
                .header("Accept", "text/event-stream").timeout(Duration.ofMinutes(5)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        List<String> ended = new ArrayList<>();
        String finalState = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String event = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:") && event != null) {
                    JsonNode data = Api.JSON.readTree(line.substring(5).strip());
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
        assertEquals("SUCCEEDED", finalState, "steps ended: " + ended);
        assertEquals(List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29"), ended);

        JsonNode detail = api.get(location, viewer).json();
        assertEquals("SUCCEEDED", detail.get("job").get("state").asText(), detail.toString());
        assertEquals("token:ci-deploy", detail.get("job").get("requestedBy").asText());
        assertEquals(9, detail.get("steps").size());
        assertEquals(1, api.get("/api/v1/pairs/kvapi", viewer).json().get("activeSystem").asInt(), "the upgraded standby is active now");

        List<AuditEntry> audit = running.get(AuditLog.class).recent(50);
        assertTrue(audit.stream().anyMatch(e -> e.action().equals("upgrade.run") && e.actor().name().equals("token:ci-deploy")),
                "the audit log names the token: " + audit);

        String metrics = api.get("/metrics", viewer).body();
        assertTrue(metrics.contains("duplex_step_duration_seconds_count{operation=\"upgrade\",outcome=\"done\",step=\"S25\"}"), metrics);
        assertTrue(metrics.contains("duplex_jobs{state=\"SUCCEEDED\"}"), metrics);
        assertTrue(metrics.contains("duplex_http_requests_seconds_count{method=\"POST\",route=\"/api/v1/pairs/{name}/upgrades\",status=\"202\"}"),
                metrics);

        // A finished job is not resumed; it is rolled back as a job of its own, answered 202 with that job's location.
        assertProblem(api.post(location + "/resume", operator, ""), 409, "conflict");
        assertProblem(api.post(location + "/rollback", viewer, ""), 403, "forbidden");
        Api.Answer rollback = api.post(location + "/rollback", operator, "");
        assertEquals(202, rollback.status(), rollback.toString());
        long rollbackJob = rollback.json().get("job").asLong();
        assertEquals(Optional.of("/api/v1/jobs/" + rollbackJob), rollback.header("Location"));
        assertTrue(rollbackJob != job, "a new job runs the rollback");
        JsonNode state = api.get("/api/v1/jobs/" + rollbackJob, viewer).json().get("job");
        for (int i = 0; i < 1200 && Set.of("PENDING", "RUNNING").contains(state.get("state").asText()); i++) {
            Thread.sleep(100);
            state = api.get("/api/v1/jobs/" + rollbackJob, viewer).json().get("job");
        }
        assertEquals("SUCCEEDED", state.get("state").asText(), state.toString());
        for (String member : pair.members) {
            assertEquals("kv-v1", api.get("/api/v1/vms/" + member, viewer).json().get("image").asText(), member + " is back on its old image");
        }
        assertTrue(running.get(AuditLog.class).recent(50).stream().anyMatch(e -> e.action().equals("upgrade.rollback")
                && e.actor().name().equals("token:ci-deploy")), "the rollback's audit names the token");
    }

    @Test
    void refusalsAreProblemsOfTheirFamily() throws Exception {
        assertProblem(api.get("/api/v1/pairs/no-such-pair", viewer), 404, "not-found");
        assertProblem(api.get("/api/v1/jobs/123456789", viewer), 404, "not-found");
        assertProblem(api.get("/api/v1/jobs/not-a-number", viewer), 400, "validation");
        assertProblem(api.get("/api/v1/jobs/99999999999999999999999", viewer), 400, "validation");
        assertProblem(api.get("/api/v1/nothing-here", viewer), 404, "not-found");
        assertProblem(api.get("/api/v1/pairs/%0a%1b%5b31m", viewer), 404, "not-found");
        assertProblem(api.post("/api/v1/pairs/no-such-pair/upgrades", operator, "{\"image\":\"kv-v2\"}"), 404, "not-found");
        running.get(dev.duplex.engine.inventory.Inventory.class).addPair(new dev.duplex.engine.inventory.PairRecord("shape-check",
                vmNamed("shape-a"), vmNamed("shape-b"), 0, dev.duplex.engine.inventory.StandbyKind.HOT, java.util.Map.of("type", "exec"), java.util.Map.of()));
        for (String body : List.of("", "not json", "{\"image\":", "null", "[]", "{\"image\":\"kv-v2\",\"extra\":1}", "{\"strategy\":\"link\"}",
                "{\"image\":\"kv-v2\",\"strategy\":\"teleport\"}", "{\"image\":\"kv-v2\"} trailing", "{\"image\":{\"a\":1}}")) {
            assertProblem(api.post("/api/v1/pairs/shape-check/upgrades", operator, body), 400, "validation");
        }
        Api.Answer huge = api.post("/api/v1/pairs/shape-check/upgrades", operator, "{\"image\":\"" + "a".repeat(200_000) + "\"}");
        assertTrue(huge.status() == 413 || huge.status() == 400, huge.toString());
        assertTrue(huge.contentType().startsWith("application/problem+json"), huge.toString());
    }

    private String vmNamed(String name) {
        var inventory = running.get(dev.duplex.engine.inventory.Inventory.class);
        if (inventory.vm(name).isEmpty()) {
            if (inventory.endpoint("shape").isEmpty()) {
                inventory.addEndpoint(new dev.duplex.engine.inventory.Endpoint("shape", "local", "local:", java.util.Optional.empty(), java.util.Map.of()));
            }
            if (inventory.image("shape-img").isEmpty()) {
                inventory.addImage(new dev.duplex.engine.inventory.ImageRecord("shape-img", "shape", "v1", "img-ref"));
            }
            inventory.addVm(new dev.duplex.engine.inventory.VmRecord(name, "shape", "ref-" + name, "shape-img", List.of(), java.util.Map.of()));
        }
        return name;
    }

    @Test
    void theOpenApiDocumentIsPublicAndCoversEveryRouteAndNothingElse() throws Exception {
        Api.Answer answer = api.get("/openapi.json", null);
        assertEquals(200, answer.status(), answer.toString());
        JsonNode document = answer.json();
        assertTrue(document.get("openapi").asText().startsWith("3."));
        Set<String> documented = new TreeSet<>();
        for (Iterator<String> paths = document.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> methods = document.get("paths").get(path).fieldNames(); methods.hasNext(); ) {
                documented.add(methods.next().toUpperCase(java.util.Locale.ROOT) + " " + path);
            }
        }
        Set<String> registered = new TreeSet<>();
        server.routes().forEach(r -> registered.add(r.method() + " " + r.path()));
        assertTrue(registered.size() >= 17, "routes seen: " + registered);
        assertEquals(registered, documented);
    }

    @Test
    void healthIsPublicAndMetricsNeedAToken() throws Exception {
        assertEquals("live", api.get("/health/live", null).json().get("status").asText());
        assertEquals("ready", api.get("/health/ready", null).json().get("status").asText());
        assertProblem(api.get("/metrics", null), 401, "unauthorized");
        Api.Answer metrics = api.get("/metrics", viewer);
        assertEquals(200, metrics.status());
        assertTrue(metrics.body().contains("duplex_http_requests_seconds_count"), metrics.body());
        assertTrue(metrics.body().contains("duplex_jobs{state=\"RUNNING\"}"), metrics.body());
    }

    @Test
    void tokensAreStoredAsSaltedHashesOnly() throws Exception {
        String secret = running.get(TokenService.class).create("hash-check", TokenRole.VIEWER, "test").secret();
        String stored = running.database.jdbi().withHandle(h -> h.createQuery(
                "SELECT name || role || key_id || encode(salt, 'hex') || encode(secret_hash, 'hex') || created_by FROM api_tokens WHERE name = 'hash-check'")
                .mapTo(String.class).one());
        String secretPart = secret.substring(secret.lastIndexOf('_') + 1);
        assertFalse(stored.contains(secretPart), "the secret is not stored");
        assertFalse(stored.contains(java.util.HexFormat.of().formatHex(secretPart.getBytes(StandardCharsets.US_ASCII))), "nor its bytes");
        Api.Answer duplicate = api.get("/api/v1/pairs", secret);
        assertEquals(200, duplicate.status());
        assertTrue(running.get(AuditLog.class).recent(100).stream().anyMatch(e -> e.action().equals("token.create")
                && e.object().equals("token/hash-check") && e.afterJson().map(j -> !j.contains(secretPart)).orElse(false)));
    }
}
