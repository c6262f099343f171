package dev.duplex.example.kv;

import static dev.duplex.example.kv.KvProcess.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service as the demo runs it: real processes on 127.0.0.1, each on its own database folder. */
class KvServerProcessTest {
    @TempDir
    Path temp;
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable closeable : running) {
            closeable.close();
        }
    }

    private KvProcess start(String name, int port, Map<String, String> env) throws IOException {
        KvProcess process = KvProcess.start(name, port, env, temp);
        running.add(process);
        return process;
    }

    private record Members(KvProcess active, KvProcess standby) {}

    /** A (ACT, on dbA) and B (SBY, on dbB), each the other's peer. */
    private Members startPair() throws IOException {
        int portA = KvProcess.freePort();
        int portB = KvProcess.freePort();
        KvProcess a = start("A", portA, Map.of("KV_DATA_DIR", temp.resolve("dbA").toString(), "KV_ROLE", "ACT",
                "KV_PEER", "127.0.0.1:" + portB));
        KvProcess b = start("B", portB, Map.of("KV_DATA_DIR", temp.resolve("dbB").toString(), "KV_PEER", "127.0.0.1:" + portA));
        return new Members(a, b);
    }

    private static void put(KvProcess member, String key, String value) throws IOException {
        MiniHttp.Response answer = member.call("PUT", "/kv/" + key, value);
        assertEquals(200, answer.status(), answer.text());
    }

    private static boolean inSync(KvProcess member) {
        try {
            return "true".equals(member.field("/sync", "in_sync"));
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void dataSurvivesRestartsAndV2ReadsV1sDatabase() throws Exception {
        Path db = temp.resolve("db");
        int port = KvProcess.freePort();
        KvProcess v1 = start("v1", port, Map.of("KV_DATA_DIR", db.toString(), "KV_ROLE", "ACT", "KV_VERSION", "v1"));
        for (int i = 0; i < 20; i++) {
            put(v1, "key" + i, "value" + i);
        }
        String checksum = v1.field("/checksum", "checksum");
        v1.stop();

        KvProcess v2 = start("v2", port, Map.of("KV_DATA_DIR", db.toString(), "KV_VERSION", "v2"));
        assertEquals("v2", v2.field("/health", "version"));
        assertEquals("ACT", v2.field("/health", "role"), "the role is kept on the database volume");
        assertEquals("20", v2.field("/health", "seq"));
        assertEquals("value7", v2.call("GET", "/kv/key7", null).text());
        assertEquals(checksum, v2.field("/checksum", "checksum"));
        put(v2, "after", "kill");
        v2.kill(); // no shutdown hook, no checkpoint: the acknowledged write must still be there

        KvProcess again = start("v2-again", port, Map.of("KV_DATA_DIR", db.toString(), "KV_VERSION", "v2"));
        assertEquals("kill", again.call("GET", "/kv/after", null).text());
        assertEquals("21", again.field("/health", "seq"));
        assertTrue(Files.readString(temp.resolve("v2-again.log")).contains("1 records scanned"),
                "only the record after the last checkpoint is scanned");
    }

    @Test
    void theStandbyReplicatesAndCatchesUpAfterARestart() throws Exception {
        int portA = KvProcess.freePort();
        int portB = KvProcess.freePort();
        Map<String, String> envB = Map.of("KV_DATA_DIR", temp.resolve("dbB").toString(), "KV_PEER", "127.0.0.1:" + portA);
        KvProcess a = start("A", portA, Map.of("KV_DATA_DIR", temp.resolve("dbA").toString(), "KV_ROLE", "ACT",
                "KV_PEER", "127.0.0.1:" + portB));
        KvProcess b = start("B", portB, envB);
        for (int i = 0; i < 30; i++) {
            put(a, "k" + i, "v" + i);
        }
        assertEquals(503, b.call("PUT", "/kv/x", "y").status(), "the SBY refuses writes");
        await("B in sync", Duration.ofSeconds(10), () -> inSync(b) && inSync(a));
        assertEquals("v29", b.call("GET", "/kv/k29", null).text());

        b.stop();
        for (int i = 30; i < 60; i++) {
            put(a, "k" + i, "v" + i);
        }
        await("A sees its SBY gone", Duration.ofSeconds(5), () -> !inSync(a));
        KvProcess b2 = start("B2", portB, envB);
        assertEquals("SBY", b2.field("/role", "role"));
        MiniHttp.Response resync = b2.call("POST", "/resync?wait_ms=10000", null);
        assertEquals("true", resync.field("in_sync"), resync.text());
        assertEquals("0", resync.field("lag"));
        assertEquals("60", resync.field("seq"));
        assertEquals(a.field("/checksum", "checksum"), b2.field("/checksum", "checksum"));
    }

    @Test
    void switchoverUnderLoadLosesNoRequestAndLeavesEqualDatabases() throws Exception {
        Members pair = startPair();
        KvProcess a = pair.active();
        KvProcess b = pair.standby();
        try (ServiceAddress address = ServiceAddress.start(0, a.address())) {
            LoadClient load = LoadClient.start(LoadClient.Options.of("127.0.0.1", address.port()).withRate(100).withVerify(true));
            running.add(0, load);
            await("load flowing", Duration.ofSeconds(10), () -> load.snapshot().succeeded() >= 50);

            // A -> B in one call (B asks A to step down, catches up, takes writes), then the VIP follows.
            MiniHttp.Response promoted = b.call("POST", "/role?to=ACT", null);
            assertEquals(200, promoted.status(), promoted.text());
            address.repoint(b.address());
            assertEquals("SBY", a.field("/role", "role"));
            long mark = load.snapshot().succeeded();
            await("load on B", Duration.ofSeconds(10), () -> load.snapshot().succeeded() >= mark + 50);

            // and back, in two calls as a role controller may do it: demote the ACT, promote the SBY
            MiniHttp.Response demoted = b.call("POST", "/role?to=SBY", null);
            assertEquals("ACT", demoted.field("previous"));
            assertEquals(200, a.call("POST", "/role?to=ACT", null).status());
            address.repoint(a.address());
            long mark2 = load.snapshot().succeeded();
            await("load on A", Duration.ofSeconds(10), () -> load.snapshot().succeeded() >= mark2 + 50);

            LoadClient.Stats stats = load.stop();
            System.out.println("switchover load: " + stats.toJson());
            assertEquals(0, stats.failedAfterRetry(), stats.toJson());
            assertEquals(0, stats.verifyFailures(), stats.toJson());
            assertEquals(stats.requests(), stats.succeeded(), stats.toJson());
        }
        await("B in sync", Duration.ofSeconds(10), () -> inSync(b));
        assertEquals(a.field("/checksum", "checksum"), b.field("/checksum", "checksum"));
        assertEquals(a.field("/health", "seq"), b.field("/health", "seq"));
    }

    @Test
    void aTakeoverGivenTheSeqItsDemotedPeerStatedDoesNotAskThePeerOnceItHoldsThatSeq() throws Exception {
        Members pair = startPair();
        KvProcess a = pair.active();
        KvProcess b = pair.standby();
        for (int i = 0; i < 10; i++) {
            put(a, "k" + i, "v" + i);
        }
        MiniHttp.Response demoted = a.call("POST", "/role?to=SBY", null);
        String stated = demoted.field("seq");
        assertEquals("10", stated, demoted.text());
        await("B holds A's last seq", Duration.ofSeconds(10), () -> {
            try {
                return stated.equals(b.field("/health", "seq"));
            } catch (IOException e) {
                return false;
            }
        });
        a.kill(); // so any question to the peer would fail: the takeover must not need one

        MiniHttp.Response ahead = b.call("POST", "/role?to=ACT&peer_seq=11", null);
        assertEquals(409, ahead.status(), "a seq it does not hold: it asks the peer as before, which is gone: " + ahead.text());
        assertEquals("SBY", b.field("/role", "role"));

        MiniHttp.Response took = b.call("POST", "/role?to=ACT&peer_seq=" + stated, null);
        assertEquals(200, took.status(), took.text());
        put(b, "k10", "v10");
        assertTrue(Files.readString(temp.resolve("B.log")).contains("held the seq 10 the demoted peer stated, not asked again"));
    }

    @Test
    void promotingWhileThePeerIsDownNeedsForce() throws Exception {
        int portB = KvProcess.freePort();
        KvProcess b = start("B", portB, Map.of("KV_DATA_DIR", temp.resolve("dbB").toString(),
                "KV_PEER", "127.0.0.1:" + KvProcess.freePort()));
        MiniHttp.Response refused = b.call("POST", "/role?to=ACT", null);
        assertEquals(409, refused.status(), refused.text());
        assertEquals("SBY", b.field("/role", "role"));
        assertEquals(200, b.call("POST", "/role?to=ACT&force=true", null).status());
        put(b, "k", "v");
    }

    @Test
    void roleChangesNeedTheRoleTokenAndAnythingElseIsRefusedUnchanged() throws Exception {
        int port = KvProcess.freePort();
        KvProcess a = start("A", port, Map.of("KV_DATA_DIR", temp.resolve("dbA").toString(), "KV_ROLE", "ACT",
                "ROLE_TOKEN", "s3cret-token-of-A"));
        String right = "s3cret-token-of-A";
        // kind -> the Authorization headers a local attacker might send, and the status each must get
        Map<Map<String, String>, Integer> hostile = new java.util.LinkedHashMap<>();
        hostile.put(Map.of(), 401);                                                    // no header
        hostile.put(Map.of("Authorization", "Basic czNjcmV0"), 401);                    // other scheme
        hostile.put(Map.of("Authorization", "Bearer"), 401);                            // scheme, no token
        hostile.put(Map.of("Authorization", "Bearer "), 401);                           // empty token (the blank is trimmed)
        hostile.put(Map.of("Authorization", "Bearer wrong"), 403);                      // wrong token
        hostile.put(Map.of("Authorization", "Bearer s3cret-token-of-"), 403);           // a prefix of it
        hostile.put(Map.of("Authorization", "Bearer " + right + "x"), 403);             // longer
        hostile.put(Map.of("Authorization", "Bearer S3CRET-TOKEN-OF-A"), 403);          // other case
        hostile.put(Map.of("Authorization", "Bearer " + KvProcess.TOKEN), 403);         // another member's token
        hostile.put(Map.of("X-Duplex-Role-Token", right), 401);                         // right token, wrong header
        for (var attempt : hostile.entrySet()) {
            for (String to : List.of("SBY", "ACT&force=true")) {
                MiniHttp.Response answer = a.callWith(attempt.getKey(), "POST", "/role?to=" + to, null);
                assertEquals((int) attempt.getValue(), answer.status(), attempt.getKey() + " " + to + ": " + answer.text());
                assertTrue(!answer.text().contains(right), "the answer never echoes the token");
            }
            assertEquals("ACT", a.field("/role", "role"), "refused role changes change nothing: " + attempt.getKey());
        }
        put(a, "still", "ACT");
        MiniHttp.Response demoted = a.callWith(Map.of("Authorization", "Bearer " + right), "POST", "/role?to=SBY", null);
        assertEquals(200, demoted.status(), demoted.text());
        assertEquals("SBY", a.field("/role", "role"));
    }

    @Test
    void aMemberStartedWithoutATokenRefusesEveryRoleChange() throws Exception {
        KvProcess a = start("A", KvProcess.freePort(), Map.of("KV_DATA_DIR", temp.resolve("dbA").toString(), "KV_ROLE", "ACT",
                "ROLE_TOKEN", ""));
        for (String header : List.of("", "Bearer ", "Bearer null", "Bearer " + KvProcess.TOKEN)) {
            MiniHttp.Response answer = a.callWith(header.isEmpty() ? Map.of() : Map.of("Authorization", header), "POST", "/role?to=SBY", null);
            assertEquals(403, answer.status(), header + ": " + answer.text());
            assertTrue(answer.text().contains("started without ROLE_TOKEN"), answer.text());
        }
        assertEquals("ACT", a.field("/role", "role"));
    }

    @Test
    void everyAnswerAboutTheMemberNamesItsVmAndItListensOnLoopbackOnly() throws Exception {
        int port = KvProcess.freePort();
        KvProcess a = start("kv-7", port, Map.of("KV_DATA_DIR", temp.resolve("dbA").toString(), "DUPLEX_VM_ID", "kv-7-1a2b3c4d"));
        for (String target : List.of("/role", "/health", "/sync")) {
            assertEquals("kv-7", a.field(target, "vm"), target);
            assertEquals("kv-7-1a2b3c4d", a.field(target, "vm_id"), target);
        }
        java.net.InetAddress external = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> !isLoopback(i)).flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(address -> address instanceof java.net.Inet4Address).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(external != null, "this host has no non-loopback IPv4 address to try");
        try (java.net.Socket socket = new java.net.Socket()) {
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> socket.connect(new java.net.InetSocketAddress(external, port), 2000), "reachable at " + external);
        }
    }

    private static boolean isLoopback(java.net.NetworkInterface networkInterface) {
        try {
            return networkInterface.isLoopback();
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Test
    void fillFromTheCommandLineThenServe() throws Exception {
        Path db = temp.resolve("filled");
        Process fill = new ProcessBuilder(KvProcess.javaBin(), "-cp", KvProcess.classes().toString(), KvServer.class.getName(),
                "fill", "--dir", db.toString(), "--bytes", "4MiB").redirectErrorStream(true).start();
        String out = new String(fill.getInputStream().readAllBytes());
        assertEquals(0, fill.waitFor(), out);
        assertEquals(4L << 20, Files.size(db.resolve(KvLog.LOG_FILE)), out);
        KvProcess server = start("filled", KvProcess.freePort(), Map.of("KV_DATA_DIR", db.toString()));
        assertEquals(Json.field(out, "records"), server.field("/health", "seq"));
        assertEquals(KvLog.checksum(db).sha256(), server.field("/checksum", "checksum"));
    }
}
