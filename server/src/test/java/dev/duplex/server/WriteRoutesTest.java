package dev.duplex.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The write half of the API on a real embedded PostgreSQL and the local driver: the whole lifecycle
 * of an endpoint, image, volumes, VMs and a pair through POST and DELETE, refusals of what is in use
 * naming its user, malformed bodies naming the field, roles, tokens shown once, and the audit log
 * naming the token that made each change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WriteRoutesTest {
    private RunningServer running;
    private DuplexServer server;
    private Api api;
    private String viewer;
    private String operator;
    private String admin;
    private Path imageFolder;

    @BeforeAll
    void start() throws Exception {
        running = new RunningServer();
        server = running.start(RunningServer.loopback());
        api = Api.of(server);
        TokenService tokens = running.get(TokenService.class);
        viewer = tokens.create("wr-viewer", TokenRole.VIEWER, "test").secret();
        operator = tokens.create("wr-operator", TokenRole.OPERATOR, "test").secret();
        admin = tokens.create("wr-admin", TokenRole.ADMIN, "test").secret();
        // The smallest image the local driver runs: a manifest and a command that idles.
        imageFolder = running.home.resolve("idle-image");
        Files.createDirectories(imageFolder);
        Files.writeString(imageFolder.resolve("duplex-image.properties"), "version=1\ncommand=exec sleep 600\n");
    }

    @AfterAll
    void stop() {
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

    private static void assertCreated(Api.Answer answer, String location) {
        assertEquals(201, answer.status(), answer.toString());
        assertEquals(Optional.of(location), answer.header("Location"));
    }

    private Optional<AuditEntry> audited(String action, String object) {
        return running.get(AuditLog.class).recent(500).stream().filter(e -> e.action().equals(action) && e.object().equals(object)).findFirst();
    }

    @Test
    void theWholeLifecycleThroughTheApiWithInUseRefusalsNamingTheUserAndTheTokenInTheAudit() throws Exception {
        assertProblem(api.post("/api/v1/endpoints", operator, "{\"name\":\"wlab\",\"driver\":\"local\"}"), 403, "forbidden", "admin");
        assertCreated(api.post("/api/v1/endpoints", admin, "{\"name\":\"wlab\",\"driver\":\"local\"}"), "/api/v1/endpoints/wlab");
        assertProblem(api.post("/api/v1/endpoints", admin, "{\"name\":\"wlab\",\"driver\":\"local\"}"), 409, "conflict", "wlab");
        assertEquals("token:wr-admin", audited("endpoint.add", "endpoint/wlab").orElseThrow().actor().name());

        assertProblem(api.post("/api/v1/images", viewer, "{}"), 403, "forbidden");
        assertCreated(api.post("/api/v1/images", operator, "{\"name\":\"idle-1\",\"endpoint\":\"wlab\",\"version\":\"1\",\"source\":\""
                + imageFolder + "\"}"), "/api/v1/images/idle-1");
        for (int system = 0; system < 2; system++) {
            assertCreated(api.post("/api/v1/volumes", operator, "{\"name\":\"wdb" + system + "\",\"endpoint\":\"wlab\",\"sizeBytes\":65536,"
                    + "\"purpose\":\"database\"}"), "/api/v1/volumes/wdb" + system);
            Api.Answer vm = api.post("/api/v1/vms", operator, "{\"name\":\"wvm-" + system + "\",\"endpoint\":\"wlab\",\"image\":\"idle-1\","
                    + "\"links\":[{\"volume\":\"wdb" + system + "\",\"mountPath\":\"db\"}],\"properties\":{\"env.ROLE_TOKEN\":\"s3cret-" + system + "\"}}");
            assertCreated(vm, "/api/v1/vms/wvm-" + system);
            assertEquals("STOPPED", vm.json().get("state").asText(), vm.toString());
            assertFalse(vm.body().contains("s3cret"), "a secret-looking property is redacted: " + vm);
        }
        Api.Answer pair = api.post("/api/v1/pairs", operator, "{\"name\":\"wpair\",\"system0\":\"wvm-0\",\"system1\":\"wvm-1\","
                + "\"roleController\":{\"type\":\"exec\",\"password\":\"hunter2\"}}");
        assertCreated(pair, "/api/v1/pairs/wpair");
        assertFalse(pair.body().contains("hunter2"), "the created pair is shown redacted: " + pair);
        assertFalse(api.get("/api/v1/pairs", viewer).body().contains("hunter2"), "role controller secrets are redacted in listings");
        JsonNode listed = null;
        for (JsonNode each : api.get("/api/v1/pairs", viewer).json()) {
            listed = each.get("name").asText().equals("wpair") ? each : listed;
        }
        assertEquals("***", listed.get("roleController").get("password").asText(), "masked, not dropped: " + listed);
        assertEquals("exec", listed.get("roleController").get("type").asText());
        assertEquals("wvm-0", listed.get("system0").asText());
        assertEquals("HOT", listed.get("standbyKind").asText());
        assertFalse(api.get("/api/v1/pairs/wpair", viewer).body().contains("hunter2"));
        assertEquals("token:wr-operator", audited("pair.create", "pair/wpair").orElseThrow().actor().name());

        // start and stop through the API
        Api.Answer started = api.post("/api/v1/vms/wvm-0/start", operator, "");
        assertEquals(200, started.status(), started.toString());
        assertEquals("RUNNING", api.get("/api/v1/vms/wvm-0", viewer).json().get("state").asText());
        assertProblem(api.delete("/api/v1/vms/wvm-0", operator), 409, "conflict", "wpair");
        assertEquals(204, api.post("/api/v1/vms/wvm-0/stop?force=true", operator, "").status());
        assertEquals("token:wr-operator", audited("vm.start", "vm/wvm-0").orElseThrow().actor().name());

        // in use: each refusal names the user
        assertProblem(api.delete("/api/v1/volumes/wdb0", operator), 409, "conflict", "wvm-0");
        assertProblem(api.delete("/api/v1/images/idle-1", operator), 409, "conflict", "wvm-0", "wvm-1");
        assertProblem(api.delete("/api/v1/endpoints/wlab", admin), 409, "conflict", "idle-1", "wdb0", "wvm-0");
        assertProblem(api.delete("/api/v1/endpoints/wlab", operator), 403, "forbidden");

        assertEquals(204, api.delete("/api/v1/pairs/wpair", operator).status());
        assertProblem(api.get("/api/v1/pairs/wpair", viewer), 404, "not-found");
        for (int system = 0; system < 2; system++) {
            assertEquals(204, api.delete("/api/v1/vms/wvm-" + system, operator).status());
            // linked once, so it may hold data: only with force, and audited as forced
            assertProblem(api.delete("/api/v1/volumes/wdb" + system, operator), 409, "conflict", "force");
            assertProblem(api.delete("/api/v1/volumes/wdb" + system + "?force=yes", operator), 400, "validation", "force");
            assertEquals(204, api.delete("/api/v1/volumes/wdb" + system + "?force=true", operator).status());
            AuditEntry forced = audited("volume.delete.forced", "volume/wdb" + system).orElseThrow();
            assertEquals("token:wr-operator", forced.actor().name());
        }
        assertEquals(204, api.delete("/api/v1/images/idle-1", operator).status());
        assertEquals(204, api.delete("/api/v1/endpoints/wlab", admin).status());
        assertEquals("[]", api.get("/api/v1/vms", viewer).body());
        assertProblem(api.delete("/api/v1/endpoints/wlab", admin), 404, "not-found", "wlab");
    }

    @Test
    void malformedBodiesAre400ProblemsNamingTheField() throws Exception {
        Map<String, String> bodies = new java.util.LinkedHashMap<>();
        bodies.put("", "no body");
        bodies.put("null", "null");
        bodies.put("[]", "JSON");
        bodies.put("{", "JSON");
        bodies.put("{\"name\":\"v\"}", "endpoint");
        bodies.put("{\"name\":\"v\",\"endpoint\":\"e\",\"image\":\"i\",\"color\":\"red\"}", "color");
        bodies.put("{\"name\":\"v\",\"endpoint\":\"e\",\"image\":\"i\",\"links\":\"db\"}", "links");
        bodies.put("{\"name\":\"v\",\"endpoint\":\"e\",\"image\":\"i\",\"links\":[null]}", "links[0]");
        bodies.put("{\"name\":\"v\",\"endpoint\":\"e\",\"image\":\"i\",\"links\":[{\"volume\":\"x\"}]}", "links[0].mountPath");
        bodies.put("{\"name\":\"v\",\"endpoint\":\"e\",\"image\":\"i\",\"links\":[{\"volume\":\"x\",\"mountPath\":\"db\",\"mode\":\"teleport\"}]}",
                "links[0].mode");
        bodies.put("{\"name\":\"v\",\"endpoint\":\"e\",\"image\":\"i\",\"properties\":{\"k\":null}}", "properties.k");
        bodies.put("{\"name\":\"v\",\"endpoint\":\"e\",\"image\":\"i\",\"properties\":{\"k\":[1]}}", "properties.k");
        bodies.put("{\"name\":\"\",\"endpoint\":\"e\",\"image\":\"i\"}", "name");
        bodies.put("{\"name\":\"v\",\"endpoint\":\"e\",\"image\":\"i\"} {}", "JSON");
        for (var body : bodies.entrySet()) {
            assertProblem(api.post("/api/v1/vms", operator, body.getKey()), 400, "validation", body.getValue());
        }
        Map<String, String> volumes = Map.of(
                "{\"name\":\"v\",\"endpoint\":\"e\",\"purpose\":\"db\"}", "sizeBytes",
                "{\"name\":\"v\",\"endpoint\":\"e\",\"sizeBytes\":-1,\"purpose\":\"db\"}", "sizeBytes",
                "{\"name\":\"v\",\"endpoint\":\"e\",\"sizeBytes\":\"big\",\"purpose\":\"db\"}", "sizeBytes",
                "{\"name\":\"v\",\"endpoint\":\"e\",\"sizeBytes\":1e400,\"purpose\":\"db\"}", "sizeBytes");
        for (var body : volumes.entrySet()) {
            assertProblem(api.post("/api/v1/volumes", operator, body.getKey()), 400, "validation", body.getValue());
        }
        assertProblem(api.post("/api/v1/pairs", operator, "{\"name\":\"p\",\"system0\":\"a\",\"system1\":\"b\",\"standby\":\"lukewarm\"}"), 400,
                "validation", "standby");
        assertProblem(api.post("/api/v1/pairs", operator, "{\"name\":\"p\",\"system0\":\"a\",\"system1\":\"b\",\"activeSystem\":2}"), 400,
                "validation", "active system");
        assertProblem(api.post("/api/v1/endpoints", admin, "{\"name\":\"bad name\",\"driver\":\"local\"}"), 400, "validation");
        assertProblem(api.post("/api/v1/endpoints", admin, "{\"name\":\"e1\",\"driver\":\"warp-drive\"}"), 400, "validation", "warp-drive");
        assertProblem(api.post("/api/v1/endpoints", admin, "{\"name\":\"e1\",\"driver\":\"local\",\"credentialFile\":\"relative\"}"), 400,
                "validation", "credential");
        assertProblem(api.post("/api/v1/vms", operator, "{\"name\":\"../../etc\",\"endpoint\":\"e\",\"image\":\"i\"}"), 400, "validation");
        assertProblem(api.post("/api/v1/vms", operator, "{\"name\":\"v\",\"endpoint\":\"ghost\",\"image\":\"i\"}"), 404, "not-found", "ghost");
        assertProblem(api.post("/api/v1/vms/ghost/start", operator, ""), 404, "not-found", "ghost");
        assertProblem(api.post("/api/v1/tokens", admin, "{\"name\":\"t\",\"role\":\"root\"}"), 400, "validation", "root");
        assertProblem(api.post("/api/v1/tokens", admin, "{\"name\":\"t\"}"), 400, "validation", "role");
        assertProblem(api.post("/api/v1/jobs/abc/resume", operator, ""), 400, "validation");
        assertProblem(api.post("/api/v1/jobs/987654/resume", operator, ""), 404, "not-found");
        assertProblem(api.post("/api/v1/jobs/987654/rollback", operator, ""), 404, "not-found");
        assertProblem(api.post("/api/v1/jobs/987654/rollback", viewer, ""), 403, "forbidden");
        assertEquals("[]", api.get("/api/v1/vms", viewer).body(), "nothing was created by any of them");
    }

    @Test
    void anAdminIssuesATokenWhoseSecretIsShownOnceAndRevokesIt() throws Exception {
        assertProblem(api.post("/api/v1/tokens", operator, "{\"name\":\"bot\",\"role\":\"viewer\"}"), 403, "forbidden");
        assertProblem(api.get("/api/v1/tokens", operator), 403, "forbidden");
        Api.Answer issued = api.post("/api/v1/tokens", admin, "{\"name\":\"bot\",\"role\":\"viewer\"}");
        assertEquals(201, issued.status(), issued.toString());
        assertEquals(Optional.of("no-store"), issued.header("Cache-Control"));
        String secret = issued.json().get("secret").asText();
        assertTrue(secret.startsWith("dpx_"), issued.toString());
        assertEquals(200, api.get("/api/v1/pairs", secret).status(), "the new token works");
        assertProblem(api.post("/api/v1/pairs", secret, "{}"), 403, "forbidden");

        String listing = api.get("/api/v1/tokens", admin).body();
        assertTrue(listing.contains("\"bot\""), listing);
        assertFalse(listing.contains(secret.substring(secret.lastIndexOf('_') + 1)), "no secret in a listing");
        assertFalse(listing.toLowerCase(java.util.Locale.ROOT).contains("hash") || listing.contains("salt"), listing);
        assertProblem(api.post("/api/v1/tokens", admin, "{\"name\":\"bot\",\"role\":\"viewer\"}"), 409, "conflict", "bot");
        assertEquals("token:wr-admin", audited("token.create", "token/bot").orElseThrow().actor().name());

        assertEquals(204, api.delete("/api/v1/tokens/bot", admin).status());
        assertProblem(api.get("/api/v1/pairs", secret), 401, "unauthorized");
        assertProblem(api.delete("/api/v1/tokens/bot", admin), 404, "not-found", "bot");
        assertTrue(api.get("/api/v1/tokens", admin).json().findValues("revokedAt").size() >= 1);
        List<String> names = api.get("/api/v1/tokens", admin).json().findValuesAsText("name");
        assertTrue(names.containsAll(List.of("wr-viewer", "wr-operator", "wr-admin", "bot")), names.toString());
    }
}
