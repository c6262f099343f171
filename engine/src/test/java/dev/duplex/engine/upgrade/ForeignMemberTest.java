package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.role.HttpRoleController;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 finding 7: the pair's members are addressed as 127.0.0.1:PORT, and another
 * installation's service holds kv-1's port. The upgrade must notice before it changes any role,
 * and must never POST to that service.
 */
class ForeignMemberTest {
    private final List<String> posts = Collections.synchronizedList(new ArrayList<>());
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(server -> server.stop(0));
    }

    /** A service on a free loopback port that answers role, sync and health as the VM {@code vmId} in role {@code role}. */
    private int serve(String vmName, String vmId, String role) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", (HttpExchange exchange) -> {
            String request = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            if (exchange.getRequestMethod().equals("POST")) {
                posts.add(vmName + ": " + request);
            }
            String identity = "\"vm\":\"" + vmName + "\",\"vm_id\":\"" + vmId + "\"";
            String body = switch (exchange.getRequestURI().getPath()) {
                case "/health" -> "{\"status\":\"ok\",\"version\":\"v2\"," + identity + "}";
                case "/sync" -> "{\"in_sync\":true,\"lag\":0," + identity + "}";
                default -> "{\"role\":\"" + role + "\"," + identity + "}";
            };
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    private PairFixture fixture;

    @BeforeEach
    void pair() {
        fixture = new PairFixture();
    }

    private RollingUpgrade engineTalkingTo(int port0, int port1) {
        Map<String, String> settings = Map.of("type", "http", "member.kv-0.port", Integer.toString(port0),
                "member.kv-1.port", Integer.toString(port1), "member.kv-0.role-token", "t0", "member.kv-1.role-token", "t1");
        return fixture.engine(pair -> new HttpRoleController(settings));
    }

    @Test
    void anUpgradeIsRefusedBeforeAnyRoleChangeWhenAnotherServiceHoldsAMembersPort() throws IOException {
        int genuine = serve("kv-0", fixture.vm0.id(), "ACT");
        int foreign = serve("kv-1", "kv-1-of-another-installation", "SBY"); // same name, another VM

        UpgradeRefusedException refused = assertThrows(UpgradeRefusedException.class,
                () -> engineTalkingTo(genuine, foreign).run(fixture.request(UpgradeStrategy.LINK), UpgradeListener.NONE));

        assertTrue(refused.getMessage().contains("127.0.0.1:" + foreign + " answered as 'kv-1' (vm id 'kv-1-of-another-installation'),"
                + " expected 'kv-1' (vm id '" + fixture.vm1.id() + "'): another service holds that port"), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());
        assertEquals(List.of(), posts, "the foreign service was never asked to change its role");
        assertEquals(List.of(), fixture.driver.changes(), "nothing was stopped or created");
        assertTrue(fixture.jobs.jobs("kv").isEmpty());
    }

    @Test
    void aNewMemberWhosePortAnotherProcessAnswersOnFailsItsHealthCheckAndNoRoleIsChanged() throws IOException {
        int genuine = serve("kv-0", fixture.vm0.id(), "ACT");
        // Answers as the old kv-1 forever: once S22 re-creates kv-1, the process on the port is not the new VM.
        int stale = serve("kv-1", fixture.vm1.id(), "SBY");

        UpgradeReport report = engineTalkingTo(genuine, stale).run(fixture.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertNotEquals(JobState.SUCCEEDED, report.state());
        assertTrue(report.error().orElse("").contains("another service holds that port"), report.error().orElse(""));
        assertEquals(List.of(), posts, "no switchover was attempted towards the process on kv-1's port");
        assertTrue(fixture.driver.changes().stream().noneMatch(change -> change.contains("kv-0")), "the active was never touched: "
                + fixture.driver.changes());
    }
}
