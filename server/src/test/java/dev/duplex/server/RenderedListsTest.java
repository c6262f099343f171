package dev.duplex.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The inventory lists are kept rendered between inventory changes: two server nodes on one database,
 * and the inventory written beside them (as the CLI does), each change seen by the other node's next
 * list at once. Revalidation with If-None-Match, and the token check still in front of a kept list.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RenderedListsTest {
    private RunningServer running;
    private DuplexServer nodeA;
    private DuplexServer nodeB;
    private Api apiA;
    private Api apiB;
    private Inventory inventory;
    private String viewer;
    private String operator;

    @BeforeAll
    void start() throws Exception {
        running = new RunningServer();
        nodeA = running.start(RunningServer.loopback());
        nodeB = running.start(RunningServer.loopback());
        apiA = Api.of(nodeA);
        apiB = Api.of(nodeB);
        inventory = running.get(Inventory.class);
        TokenService tokens = running.get(TokenService.class);
        viewer = tokens.create("rl-viewer", TokenRole.VIEWER, "test").secret();
        operator = tokens.create("rl-operator", TokenRole.OPERATOR, "test").secret();
        inventory.addEndpoint(new Endpoint("rl", "local", "local:", Optional.empty(), Map.of()));
        inventory.addImage(new ImageRecord("rl-img", "rl", "v1", "img-ref"));
    }

    @AfterAll
    void stop() {
        for (DuplexServer node : new DuplexServer[] {nodeA, nodeB}) {
            if (node != null) {
                node.stop();
            }
        }
        if (running != null) {
            running.close();
        }
    }

    private void addPair(String name) {
        inventory.addVm(new VmRecord(name + "-0", "rl", "ref-" + name + "-0", "rl-img", List.of(), Map.of()));
        inventory.addVm(new VmRecord(name + "-1", "rl", "ref-" + name + "-1", "rl-img", List.of(), Map.of()));
        inventory.addPair(new PairRecord(name, name + "-0", name + "-1", 0, StandbyKind.HOT,
                Map.of("type", "http", "token", "rl-secret-value"), Map.of()));
    }

    private List<String> pairsSeen(Api api) throws Exception {
        Api.Answer answer = api.get("/api/v1/pairs", viewer);
        assertEquals(200, answer.status(), answer.toString());
        assertTrue(answer.contentType().startsWith("application/json"), answer.toString());
        assertTrue(!answer.body().contains("rl-secret-value"), "a kept list is redacted like a fresh one: " + answer.body());
        List<String> seen = new ArrayList<>();
        for (JsonNode pair : answer.json()) {
            seen.add(pair.get("name").asText() + "@" + pair.get("activeSystem").asInt());
        }
        return seen;
    }

    @Test
    void aKeptPairListChangesOnEveryNodeWithTheInventoryWrittenAnywhere() throws Exception {
        addPair("rl-one");
        assertEquals(List.of("rl-one@0"), pairsSeen(apiA));
        assertEquals(List.of("rl-one@0"), pairsSeen(apiA), "asked again, the same list");
        assertEquals(List.of("rl-one@0"), pairsSeen(apiB));

        addPair("rl-two"); // written beside the servers, through a connection of its own
        assertEquals(List.of("rl-one@0", "rl-two@0"), pairsSeen(apiA));
        assertEquals(List.of("rl-one@0", "rl-two@0"), pairsSeen(apiB));

        inventory.setActiveSystem("rl-two", 1); // what a switch-over records
        assertEquals(List.of("rl-one@0", "rl-two@1"), pairsSeen(apiA));

        Api.Answer deleted = apiB.delete("/api/v1/pairs/rl-one", operator); // through the other node
        assertEquals(204, deleted.status(), deleted.toString());
        assertEquals(List.of("rl-two@1"), pairsSeen(apiA));
        assertEquals(List.of("rl-two@1"), pairsSeen(apiB));
    }

    @Test
    void aClientRevalidatesWithItsETagAndGetsTheNewListAfterAChange() throws Exception {
        Api.Answer first = apiA.get("/api/v1/volumes", viewer);
        assertEquals(200, first.status(), first.toString());
        String etag = first.header("ETag").orElseThrow(() -> new AssertionError("no ETag on " + first + " " + first.response().headers().map()));

        Api.Answer unchanged = apiB.send(apiB.request("/api/v1/volumes", viewer).header("If-None-Match", etag).GET().build());
        assertEquals(304, unchanged.status(), "the same list on the other node: " + unchanged);
        assertEquals("", unchanged.body());

        inventory.addVolume(new dev.duplex.engine.inventory.VolumeRecord("rl-vol", "rl", "vol-ref", 4096, "database"));
        Api.Answer changed = apiA.send(apiA.request("/api/v1/volumes", viewer).header("If-None-Match", etag).GET().build());
        assertEquals(200, changed.status(), changed.toString());
        assertTrue(changed.body().contains("rl-vol"), changed.toString());
        assertNotEquals(Optional.of(etag), changed.header("ETag"));
    }

    @Test
    void aKeptListIsStillBehindTheTokenCheck() throws Exception {
        assertEquals(200, apiA.get("/api/v1/pairs", viewer).status());
        Api.Answer anonymous = apiA.get("/api/v1/pairs", null);
        assertEquals(401, anonymous.status(), anonymous.toString());
        assertTrue(anonymous.contentType().startsWith("application/problem+json"), anonymous.toString());
        Api.Answer wrong = apiA.send(apiA.request("/api/v1/pairs", "not-a-token").header("If-None-Match", "*").GET().build());
        assertEquals(401, wrong.status(), "revalidation needs a token too: " + wrong);
    }
}
