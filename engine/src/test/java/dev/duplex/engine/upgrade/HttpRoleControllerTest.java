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
        String body = answers.getOrDefault(key, "{}");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(statuses.getOrDefault(key, 200), bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private RoleController controller() {
        return new RoleControllers().create(Map.of("type", "http",
                "member.kv-1.base", "http://127.0.0.1:" + server.getAddress().getPort() + "/one", "timeout-ms", "2000"));
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
    void switchoverDemotesTheOldActiveFirstThenPromotesTheNew() {
        controller().switchover(pair, "kv-1");
        assertEquals(List.of("POST /role?to=SBY", "POST /one/role?to=ACT"), calls);
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
