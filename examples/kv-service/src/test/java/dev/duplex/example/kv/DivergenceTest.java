package dev.duplex.example.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two histories are never mixed: a SBY whose last record differs from the ACT's stops replicating. */
class DivergenceTest {
    @TempDir
    Path temp;

    private KvServer server(String name, int port, int peerPort, KvServer.Role role) throws IOException {
        Path db = temp.resolve(name);
        return KvServer.start(new KvServer.Config(port, db, "v1", "127.0.0.1:" + peerPort, db.resolve("role"), role, name, false, KvProcess.TOKEN));
    }

    private static MiniHttp.Response call(KvServer server, String method, String target, String body) throws IOException {
        return MiniHttp.send("127.0.0.1", server.port(), method, target, body == null ? null : body.getBytes(), 5000,
                java.util.Map.of("Authorization", "Bearer " + KvProcess.TOKEN));
    }

    @Test
    void aStandbyWithAnotherHistoryStopsAndSaysWhy() throws IOException {
        int portA = KvProcess.freePort();
        int portB = KvProcess.freePort();
        // Both ACT at once (a forced failover while the other side was only cut off): each writes seq 1.
        try (KvServer a = server("A", portA, portB, KvServer.Role.ACT); KvServer b = server("B", portB, portA, KvServer.Role.ACT)) {
            assertEquals(200, call(a, "PUT", "/kv/k", "from A").status());
            assertEquals(200, call(b, "PUT", "/kv/k", "from B").status());
            assertEquals(200, call(a, "PUT", "/kv/k2", "A again").status());
            // B becomes SBY and pulls from A: its record 1 differs from A's.
            assertEquals(200, call(b, "POST", "/role?to=SBY", null).status());
            KvProcess.await("B reports the divergence", Duration.ofSeconds(10), () -> {
                try {
                    String problem = call(b, "GET", "/sync", null).field("problem");
                    return problem != null && problem.startsWith("diverged");
                } catch (IOException e) {
                    return false;
                }
            });
            MiniHttp.Response sync = call(b, "POST", "/resync?wait_ms=300", null);
            assertEquals("false", sync.field("in_sync"), sync.text());
            assertEquals("from B", call(b, "GET", "/kv/k", null).text(), "B's own history is left as it was");
            assertEquals(KvServer.Role.SBY, b.role());
            assertEquals(404, call(b, "GET", "/kv/k2", null).status(), "nothing of A's history was appended");
        }
    }
}
