package dev.duplex.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The light application's own behaviour, without Duplex: replication, switchover, and what it refuses. */
class LightAppTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;
    private LightApp app;

    @AfterEach
    void stop() throws InterruptedException {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theStandbyReplicatesAndASwitchoverHandsOverEveryRecordWithBothLogsEqual() throws Exception {
        app = new LightApp(dir.resolve("images"));
        int a = LightApp.freePort();
        int b = LightApp.freePort();
        app.start(dir.resolve("a"), a, b, "ACT", "ta");
        app.start(dir.resolve("b"), b, a, "SBY", "tb");
        awaitUp(a);
        awaitUp(b);
        for (int i = 1; i <= 5; i++) {
            assertEquals(200, send(a, "PUT", "/kv/k" + i, "v" + i, null).statusCode());
        }
        assertEquals(503, send(b, "PUT", "/kv/x", "v", null).statusCode(), "the standby takes no write");
        assertTrue(send(b, "POST", "/resync?wait_ms=5000", null, null).body().contains("\"in_sync\":true"));

        assertEquals(409, send(b, "POST", "/role?to=ACT", null, "tb").statusCode(), "no takeover while the peer is ACT");
        assertEquals(200, send(a, "POST", "/role?to=SBY", null, "ta").statusCode());
        assertEquals(503, send(a, "PUT", "/kv/k6", "v6", null).statusCode(), "a demoted member takes no write");
        long asked = System.nanoTime();
        HttpResponse<String> poll = send(a, "GET", "/log?from=6&wait_ms=5000", null, null);
        assertEquals(200, poll.statusCode(), poll::body);
        assertEquals("SBY", poll.headers().firstValue("X-Role").orElse(""), () -> poll.headers().map().toString());
        assertTrue(Duration.ofNanos(System.nanoTime() - asked).toMillis() < 2500,
                "a demoted member answers a long poll at once (nothing will come): the standby's takeover does not wait behind it");
        assertEquals(200, send(b, "POST", "/role?to=ACT", null, "tb").statusCode());
        assertEquals(200, send(b, "PUT", "/kv/k6", "v6", null).statusCode());
        assertEquals("v3", send(b, "GET", "/kv/k3", null, null).body(), "the new active has the old one's records");
        assertTrue(send(a, "POST", "/resync?wait_ms=5000", null, null).body().contains("\"in_sync\":true"));
        assertEquals(checksum(a, ""), checksum(b, ""));
        assertTrue(checksum(b, "").contains("\"seq\":6"));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(dir.resolve("a").resolve("log")), "the database is its owner's alone");
    }

    @Test
    void hostileRequestsAreRefusedAndChangeNothing() throws Exception {
        app = new LightApp(dir.resolve("images"));
        int a = LightApp.freePort();
        int b = LightApp.freePort();
        int c = LightApp.freePort();
        app.start(dir.resolve("a"), a, b, "ACT", "secret-a");
        app.start(dir.resolve("b"), b, a, "SBY", "secret-b");
        app.start(dir.resolve("c"), c, a, "SBY", ""); // started without a role token
        awaitUp(a);
        awaitUp(b);
        awaitUp(c);
        assertEquals(200, send(a, "PUT", "/kv/k1", "v1", null).statusCode());
        String before = checksum(a, "");

        Map<String, Integer> refused = new LinkedHashMap<>();
        refused.put("role change without a token", send(a, "POST", "/role?to=SBY", null, null).statusCode());
        refused.put("role change with the wrong token", send(a, "POST", "/role?to=SBY", null, "secret-b").statusCode());
        refused.put("role change with a token's prefix", send(a, "POST", "/role?to=SBY", null, "secret").statusCode());
        refused.put("role change on a member without a token", send(c, "POST", "/role?to=ACT&force=true", null, "").statusCode());
        refused.put("role change on a member without a token, any token", send(c, "POST", "/role?to=ACT&force=true", null, "x").statusCode());
        refused.put("role neither ACT nor SBY", send(a, "POST", "/role?to=BOTH", null, "secret-a").statusCode());
        refused.put("role given twice", send(a, "POST", "/role?to=SBY&to=ACT", null, "secret-a").statusCode());
        refused.put("takeover while the peer is ACT", send(b, "POST", "/role?to=ACT", null, "secret-b").statusCode());
        refused.put("key with a slash", send(a, "PUT", "/kv/a%2Fb", "x", null).statusCode());
        refused.put("key climbing out", send(a, "PUT", "/kv/..%2F..%2Fetc%2Fpasswd", "x", null).statusCode());
        refused.put("key of 129 characters", send(a, "PUT", "/kv/" + "k".repeat(129), "x", null).statusCode());
        refused.put("empty key", send(a, "PUT", "/kv/", "x", null).statusCode());
        refused.put("value over 64 KiB", send(a, "PUT", "/kv/big", "x".repeat(64 * 1024 + 1), null).statusCode());
        refused.put("chunked value without a length", HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a + "/kv/chunked"))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream("x".getBytes()))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        refused.put("write on the standby", send(b, "PUT", "/kv/k2", "x", null).statusCode());
        refused.put("read on the standby", send(b, "GET", "/kv/k1", null, null).statusCode());
        refused.put("delete", send(a, "DELETE", "/kv/k1", null, null).statusCode());
        refused.put("checksum upto beyond the log", send(a, "GET", "/checksum?upto=2", null, null).statusCode());
        refused.put("checksum upto negative", send(a, "GET", "/checksum?upto=-1", null, null).statusCode());
        refused.put("checksum upto not a number", send(a, "GET", "/checksum?upto=1e3", null, null).statusCode());
        refused.put("log from 0", send(a, "GET", "/log?from=0", null, null).statusCode());
        refused.put("log wait over 5 s", send(a, "GET", "/log?from=1&wait_ms=999999", null, null).statusCode());
        refused.put("resync wait not a number", send(b, "POST", "/resync?wait_ms=soon", null, null).statusCode());
        refused.put("body on a GET", send(a, "GET", "/health", "x", null).statusCode());
        refused.put("body on a role change", send(a, "POST", "/role?to=SBY", "x", "secret-a").statusCode());
        refused.put("unknown path", send(a, "GET", "/admin", null, null).statusCode());
        refused.put("method not allowed", send(a, "PUT", "/role", null, null).statusCode());
        refused.put("too many query parameters", send(a, "GET", "/checksum?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11", null, null).statusCode());

        refused.forEach((kind, status) -> assertTrue(status >= 400 && status < 500 || status == 503, kind + " answered " + status));
        assertEquals(28, refused.size());
        assertEquals(401, refused.get("role change without a token"));
        assertEquals(403, refused.get("role change with the wrong token"));
        assertEquals(403, refused.get("role change on a member without a token, any token"));
        assertEquals(413, refused.get("value over 64 KiB"));
        assertEquals(411, refused.get("chunked value without a length"));
        assertEquals(409, refused.get("takeover while the peer is ACT"));
        assertTrue(send(a, "GET", "/role", null, null).body().contains("\"role\":\"ACT\""), "the active is still the active");
        assertTrue(send(b, "GET", "/role", null, null).body().contains("\"role\":\"SBY\""));
        assertTrue(send(c, "GET", "/role", null, null).body().contains("\"role\":\"SBY\""));
        assertEquals(before, checksum(a, ""), "no refused request wrote anything");
        assertEquals(200, send(a, "GET", "/kv/k1", null, null).statusCode(), "and the member still serves");
    }

    @Test
    void aStandbyWhoseLogDivergedStopsReplicatingAndNeverReportsInSync() throws Exception {
        app = new LightApp(dir.resolve("images"));
        int a = LightApp.freePort();
        int b = LightApp.freePort();
        Process first = app.start(dir.resolve("a"), a, b, "ACT", "ta");
        awaitUp(a);
        assertEquals(200, send(a, "PUT", "/kv/k1", "from-a", null).statusCode());
        // b has a record 1 of its own: the two logs diverged (as after a split brain)
        Process other = app.start(dir.resolve("b"), b, LightApp.freePort(), "ACT", "tb");
        awaitUp(b);
        assertEquals(200, send(b, "PUT", "/kv/k1", "from-b", null).statusCode());
        other.destroyForcibly().waitFor();
        Files.writeString(dir.resolve("b").resolve("role"), "SBY\n");
        app.start(dir.resolve("b"), b, a, "SBY", "tb");
        awaitUp(b);
        assertEquals(200, send(a, "PUT", "/kv/k2", "from-a", null).statusCode());

        String sync = send(b, "POST", "/resync?wait_ms=1500", null, null).body();
        assertTrue(sync.contains("\"in_sync\":false") && sync.contains("diverged"), sync);
        assertNotEquals(checksum(a, "?upto=1"), checksum(b, "?upto=1"));
        assertTrue(checksum(b, "").contains("\"seq\":1"), "nothing of a's was mixed into b's log");
        assertEquals(409, send(b, "POST", "/role?to=ACT", null, "tb").statusCode());
        assertTrue(first.isAlive());
    }

    @Test
    void aSecondProcessOnTheSameVolumeIsRefusedAndATornLastRecordIsCutAtStart() throws Exception {
        app = new LightApp(dir.resolve("images"));
        int a = LightApp.freePort();
        app.start(dir.resolve("a"), a, LightApp.freePort(), "ACT", "ta");
        awaitUp(a);
        assertEquals(200, send(a, "PUT", "/kv/k1", "v1", null).statusCode());
        Process second = app.start(dir.resolve("a"), LightApp.freePort(), a, "SBY", "tb");
        assertTrue(second.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the second process exits");
        assertNotEquals(0, second.exitValue());
        String checksum = checksum(a, "");
        app.close();

        Files.writeString(dir.resolve("a").resolve("log"), "{\"key\":\"k2\",\"seq\":2,\"va", java.nio.file.StandardOpenOption.APPEND);
        app = new LightApp(dir.resolve("images2"));
        int again = LightApp.freePort();
        app.start(dir.resolve("a"), again, LightApp.freePort(), "SBY", "ta");
        awaitUp(again);
        assertEquals(checksum, checksum(again, ""), "the torn record was cut; the acknowledged one kept");
        assertTrue(send(again, "GET", "/role", null, null).body().contains("\"role\":\"ACT\""), "the role is the one on the volume");
        assertFalse(Files.readString(dir.resolve("a").resolve("log")).contains("\"k2\""));
    }

    private static String checksum(int port, String query) throws Exception {
        HttpResponse<String> response = send(port, "GET", "/checksum" + query, null, null);
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static void awaitUp(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (send(port, "GET", "/health", null, null).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
            Thread.sleep(50);
        }
    }

    private static HttpResponse<String> send(int port, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
