package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import dev.duplex.engine.role.AfterSwitchover;
import dev.duplex.engine.role.RoleControllers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http role controller against a real HTTP server playing the kv-service's endpoints. */
class HttpRoleControllerTest {
    private HttpServer server;
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The Authorization header of each call, "-" when there was none. */
    private final List<String> authorizations = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Which VM answers under which path prefix: "" is kv-0 (driver id vm-1), "/one" kv-1 (vm-2). */
    private final Map<String, String> identities = new ConcurrentHashMap<>(Map.of("", "vm-1", "/one", "vm-2"));
    private PairContext pair;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        int port = server.getAddress().getPort();
        // kv-0 through {host}:{port} from its VM properties, kv-1 through an explicit base URL
        pair = new PairContext("kv", List.of(
                new PairContext.Member("kv-0", 0, "lab", "vm-1", Map.of("port", Integer.toString(port))),
                new PairContext.Member("kv-1", 1, "lab", "vm-2", Map.of())),
                Map.of());
        answers.put("GET /role", "{\"role\":\"ACT\"}");
        answers.put("GET /one/role", "{ \"role\" : \"SBY\" }");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestMethod() + " " + exchange.getRequestURI();
        calls.add(key);
        authorizations.add(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("-"));
        String body = answers.getOrDefault(key, "{}");
        String prefix = exchange.getRequestURI().getPath().startsWith("/one/") ? "/one" : "";
        String vmId = identities.get(prefix);
        if (vmId != null && body.startsWith("{") && !body.contains("\"vm_id\"")) {
            // the member says who it is, as the kv service does
            body = "{\"vm_id\":\"" + vmId + "\"" + (body.strip().equals("{}") ? "" : ",") + body.strip().substring(1);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(statuses.getOrDefault(key, 200), bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    // No test here waits for a timeout: 15 s only keeps a loaded CI machine (load 100+ seen) from failing a plain request.
    private RoleController controller() {
        return new RoleControllers().create(Map.of("type", "http",
                "member.kv-1.base", "http://127.0.0.1:" + server.getAddress().getPort() + "/one", "timeout-ms", "15000"));
    }

    @Test
    void rolesComeFromEachMembersUrl() {
        assertEquals(Map.of("kv-0", Role.ACT, "kv-1", Role.SBY), controller().roles(pair));
        assertEquals(List.of("GET /role", "GET /one/role"), calls);
    }

    @Test
    void thePortMayComeFromTheLocalDriversEnvironmentProperty() {
        PairContext local = new PairContext("kv", List.of(
                new PairContext.Member("kv-0", 0, "lab", "vm-1", Map.of("env.PORT", Integer.toString(server.getAddress().getPort()))),
                new PairContext.Member("kv-1", 1, "lab", "vm-2", Map.of())), Map.of());
        assertEquals(Role.ACT, controller().roles(local).get("kv-0"));
    }

    @Test
    void garbageIsAClearError() {
        answers.put("GET /one/role", "<html>teapot</html>");
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller().roles(pair));
        assertEquals("kv-1", e.member());
        assertTrue(e.getMessage().contains("Role controller http for member kv-1") && e.getMessage().contains("<html>teapot</html>"),
                e.getMessage());

        answers.put("GET /one/role", "{\"role\":\"MAYBE\"}");
        e = assertThrows(RoleControllerException.class, () -> controller().roles(pair));
        assertTrue(e.getMessage().contains("\"MAYBE\""), e.getMessage());

        answers.put("GET /one/role", "{\"role\":42}");
        e = assertThrows(RoleControllerException.class, () -> controller().roles(pair));
        assertTrue(e.getMessage().contains("must be a string"), e.getMessage());
    }

    @Test
    void aDemoteAsksBothWhoTheyAreAndTheTakeoverRightAfterGoesStraightToItsPost() {
        answers.put("POST /role?to=SBY", "{\"role\":\"SBY\",\"previous\":\"ACT\"}");
        RoleController controller = controller();

        assertEquals(Optional.of(Role.SBY), controller.demote(pair, "kv-0"), "the role the member states in its answer");
        controller.takeOver(pair, "kv-1");

        assertEquals(List.of("GET /role", "GET /one/role", "POST /role?to=SBY", "POST /one/role?to=ACT"), calls,
                "no request between the demote and the takeover: it is the switchover gap");
    }

    @Test
    void theTakeoverCarriesTheSeqTheDemotedPeerStatedAndNothingOnceAnotherProcessDemotedIt() {
        answers.put("POST /role?to=SBY", "{\"role\":\"SBY\",\"previous\":\"ACT\",\"seq\":4711}");
        Map<String, String> settings = Map.of("type", "http", "member.kv-1.base", "http://127.0.0.1:" + server.getAddress().getPort() + "/one",
                "timeout-ms", "15000", "takeover-url", "{base}/role?to=ACT&peer_seq={peer_seq}");
        RoleController controller = new RoleControllers().create(settings);

        controller.demote(pair, "kv-0");
        controller.takeOver(pair, "kv-1");
        // a job resumed by another process took over without the demote's answer: the application asks its peer itself
        new RoleControllers().create(settings).takeOver(pair, "kv-1");

        assertEquals(List.of("GET /role", "GET /one/role", "POST /role?to=SBY", "POST /one/role?to=ACT&peer_seq=4711",
                "GET /one/role", "POST /one/role?to=ACT&peer_seq="), calls);
    }

    @Test
    void aTakeoverWithoutARecentProofOfIdentityAsksFirstAndRefusesAStranger() {
        identities.put("/one", "vm-someone-else");
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller().takeOver(pair, "kv-1"));
        assertTrue(e.getMessage().contains("another service holds that port"), e.getMessage());
        assertEquals(List.of("GET /one/role"), calls, "nothing was posted to the stranger");
    }

    @Test
    void aDemoteWhoseAnswerStatesNoRoleLeavesTheQuestionToTheEngine() {
        answers.put("POST /role?to=SBY", "stepped down");
        assertEquals(Optional.empty(), controller().demote(pair, "kv-0"));
    }

    @Test
    void switchoverAsksBothWhoTheyAreThenDemotesTheOldActiveFirstThenPromotesTheNew() {
        controller().switchover(pair, "kv-1");
        assertEquals(List.of("GET /role", "GET /one/role", "POST /role?to=SBY", "POST /one/role?to=ACT"), calls);
    }

    @Test
    void aMemberThatDoesNotAnswerIsNamedWithItsAddressNotABareException() throws IOException {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        RoleController controller = new RoleControllers().create(Map.of("type", "http", "member.kv-1.port", Integer.toString(closed)));
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller.role(pair, "kv-1"));
        assertTrue(e.getMessage().contains("nothing answers at 127.0.0.1:" + closed + " (connection refused); is kv-1 running"),
                e.getMessage());
        assertFalse(e.getMessage().contains("java.net."), e.getMessage());
    }

    @Test
    void promotionAtFailoverAsksOnlyTheStandbyWhoItIsThenPostsToItAlone() {
        RoleController controller = controller();
        assertTrue(controller.canPromote());
        controller.promote(pair, "kv-1");
        assertEquals(List.of("GET /one/role", "POST /one/role?to=ACT&force=true"), calls, "the fenced peer is not asked");
        assertEquals(Role.SBY, controller.role(pair, "kv-1"));
    }

    @Test
    void promotionOfAForeignServiceIsRefusedWithoutAPost() {
        identities.put("/one", "other-install");
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller().promote(pair, "kv-1"));
        assertTrue(e.getMessage().contains("another service holds that port"), e.getMessage());
        assertEquals(List.of("GET /one/role"), calls);
    }

    @Test
    void aForeignServiceOnAMembersPortIsRefusedBeforeAnyRoleChangeAndGetsNoPostAndNoToken() {
        identities.put("/one", "other-install-kv-1-9f8e7d6c");
        answers.put("GET /one/role", "{\"role\":\"SBY\",\"vm\":\"kv-1\"}");
        answers.put("GET /one/health", "{\"status\":\"ok\",\"version\":\"v2\",\"vm\":\"kv-1\"}");
        answers.put("GET /one/sync", "{\"in_sync\":true,\"lag\":0,\"vm\":\"kv-1\"}");
        RoleController controller = tokenController();
        String expected = "Role controller http for member kv-1: 127.0.0.1:" + server.getAddress().getPort() + " answered as 'kv-1'"
                + " (vm id 'other-install-kv-1-9f8e7d6c'), expected 'kv-1' (vm id 'vm-2'): another service holds that port. Nothing was"
                + " changed; stop that service, or point member.kv-1.port at kv-1's own port.";

        RoleControllerException switchover = assertThrows(RoleControllerException.class, () -> controller.switchover(pair, "kv-1"));
        assertEquals(expected, switchover.getMessage());
        RoleControllerException back = assertThrows(RoleControllerException.class, () -> controller.switchover(pair, "kv-0"));
        assertEquals(expected, back.getMessage(), "refused whichever way: the old active is never demoted first");
        assertEquals(expected, assertThrows(RoleControllerException.class, () -> controller.roles(pair)).getMessage());
        assertEquals(expected, assertThrows(RoleControllerException.class, () -> controller.resyncStatus(pair, "kv-1")).getMessage());
        assertThrows(RoleControllerException.class, () -> controller.resync(pair, "kv-1"));
        HealthStatus health = controller.health(pair, "kv-1");
        assertFalse(health.healthy(), "an \"ok\" from another process is not the member's health");
        assertTrue(health.detail().contains("another service holds that port"), health.detail());

        assertTrue(calls.stream().noneMatch(c -> c.startsWith("POST")), calls.toString());
        assertTrue(authorizations.stream().allMatch("-"::equals), "the token went nowhere: " + authorizations);
    }

    @Test
    void anAnswerWithoutItsVmIdIsNotTrustedUnlessThePairSaysIdentityNone() {
        identities.remove("/one");
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller().roles(pair));
        assertTrue(e.getMessage().contains("answered without \"vm_id\", expected 'kv-1' (vm id 'vm-2')")
                && e.getMessage().contains("identity=none"), e.getMessage());
        assertThrows(RoleControllerException.class, () -> controller().switchover(pair, "kv-1"));
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("POST")), calls.toString());

        RoleController trusting = new RoleControllers().create(Map.of("type", "http", "identity", "none",
                "member.kv-1.base", "http://127.0.0.1:" + server.getAddress().getPort() + "/one"));
        assertEquals(Map.of("kv-0", Role.ACT, "kv-1", Role.SBY), trusting.roles(pair));
        var bad = assertThrows(IllegalArgumentException.class, () -> new RoleControllers().create(Map.of("type", "http", "identity", "name")));
        assertTrue(bad.getMessage().contains("'identity' is vm-id (the default) or none, not 'name'"), bad.getMessage());
    }

    @Test
    void whatAForeignServiceAnswersNeverPutsAControlCharacterInTheMessage() {
        for (String hostile : List.of("evil\\u001b]0;pwned\\u0007", "a\\nforged line", "x\\r\\ny", "\\u009b31m", "name\\u2028next")) {
            identities.put("/one", "id-" + hostile);
            answers.put("GET /one/role", "{\"role\":\"SBY\",\"vm\":\"" + hostile + "\"}");
            RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller().roles(pair));
            assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028),
                    () -> "control character in: " + e.getMessage().replaceAll("\\p{Cntrl}", "?"));
            assertTrue(e.getMessage().contains("another service holds that port"), e.getMessage());
        }
    }

    @Test
    void theRoleTokenGoesOnlyWithPostsToMembersThatProvedWhoTheyAre() {
        tokenController().switchover(pair, "kv-1");
        assertEquals(List.of("GET /role", "GET /one/role", "POST /role?to=SBY", "POST /one/role?to=ACT"), calls);
        assertEquals(List.of("-", "-", "Bearer token-of-kv-0", "Bearer token-of-kv-1"), authorizations);

        RoleController badToken = new RoleControllers().create(Map.of("type", "http", "role-token", "two words",
                "member.kv-1.base", "http://127.0.0.1:" + server.getAddress().getPort() + "/one"));
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> badToken.switchover(pair, "kv-1"));
        assertTrue(e.getMessage().contains("holds characters an HTTP header cannot carry") && !e.getMessage().contains("two words"),
                e.getMessage());
    }

    /** kv-0's token from its VM property env.ROLE_TOKEN (as the demo sets it), kv-1's from a member setting. */
    private RoleController tokenController() {
        pair = new PairContext("kv", List.of(
                new PairContext.Member("kv-0", 0, "lab", "vm-1", Map.of("port", Integer.toString(server.getAddress().getPort()),
                        "env.ROLE_TOKEN", "token-of-kv-0")),
                new PairContext.Member("kv-1", 1, "lab", "vm-2", Map.of())), Map.of());
        return new RoleControllers().create(Map.of("type", "http", "member.kv-1.role-token", "token-of-kv-1",
                "member.kv-1.base", "http://127.0.0.1:" + server.getAddress().getPort() + "/one", "timeout-ms", "15000"));
    }

    @Test
    void aRefusedSwitchoverIsAnError() {
        statuses.put("POST /one/role?to=ACT", 409);
        answers.put("POST /one/role?to=ACT", "{\"error\":\"not in sync\"}");
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller().switchover(pair, "kv-1"));
        assertTrue(e.getMessage().contains("HTTP 409") && e.getMessage().contains("not in sync"), e.getMessage());
    }

    @Test
    void syncStatusIsRead() {
        answers.put("GET /one/sync", "{\"in_sync\":false,\"lag\":12,\"applied\":100}");
        assertEquals(ResyncStatus.lagging(12), controller().resyncStatus(pair, "kv-1"));
        answers.put("GET /one/sync", "{\"in_sync\":true,\"lag\":0}");
        assertEquals(ResyncStatus.inSync(), controller().resyncStatus(pair, "kv-1"));
        answers.put("GET /one/sync", "{\"in_sync\":\"yes\"}");
        assertThrows(RoleControllerException.class, () -> controller().resyncStatus(pair, "kv-1"));
        controller().resync(pair, "kv-1");
        assertTrue(calls.contains("POST /one/resync"), calls.toString());
    }

    @Test
    void healthReadsStatusAndVersionAndTreatsErrorsAsUnhealthy() {
        answers.put("GET /health", "{\"status\":\"ok\",\"version\":\"v2\",\"role\":\"SBY\"}");
        HealthStatus ok = controller().health(pair, "kv-0");
        assertTrue(ok.healthy());
        assertEquals(Optional.of("v2"), ok.version());
        statuses.put("GET /one/health", 503);
        assertFalse(controller().health(pair, "kv-1").healthy());
        server.stop(0);
        HealthStatus down = controller().health(pair, "kv-0");
        assertFalse(down.healthy());
    }

    @Test
    void anExtraActionRunsAfterASuccessfulSwitchover() {
        List<String> repointed = new ArrayList<>();
        RoleController controller = new AfterSwitchover(controller(), (p, active) -> repointed.add(p.pair() + " -> " + active));
        controller.switchover(pair, "kv-1");
        assertEquals(List.of("kv -> kv-1"), repointed);

        statuses.put("POST /role?to=SBY", 500);
        assertThrows(RoleControllerException.class, () -> controller.switchover(pair, "kv-1"));
        assertEquals(1, repointed.size(), "no repointing after a failed switchover");
    }
}
