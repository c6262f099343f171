package dev.duplex.example.kv;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The SBY side of replication: pulls the peer's log with {@code GET /log?from=SEQ} long-polls and
 * appends what it gets. Pulling (rather than the ACT pushing) makes catch-up after a restart the same
 * code path as normal replication: a SBY that was down simply asks from its own last seq + 1, which is
 * the seed's S24 "resync DB-1 from DB-0 for what changed meanwhile".
 *
 * <p>Each request carries the CRC of the SBY's last record ({@code prev_crc}); the peer answers 409 if
 * its record at that seq differs (the logs diverged, e.g. after a forced failover), and replication
 * stops until an operator repairs it, rather than mixing two histories.
 */
final class Replicator implements Closeable {
    /** How long the peer may hold a pull open waiting for new records. */
    static final int LONG_POLL_MS = 500;
    /** A peer heard from within this long counts as reachable. */
    static final long CONTACT_NANOS = 2_000_000_000L;
    static final int MAX_BATCH_BYTES = 4 << 20;

    /** One pull's result: the records and what the peer said about itself. */
    record Batch(List<ByteBuffer> records, long peerSeq, String peerRole) {}

    /** The peer's record before {@code from} differs from ours. */
    static final class DivergedException extends IOException {
        DivergedException(String message) {
            super(message);
        }
    }

    private final KvServer server;
    private final KvLog log;
    private final String peer;
    private final Thread thread;
    private final Object wake = new Object();
    private volatile boolean closed;
    private volatile long peerSeq = -1;
    private volatile String peerRole = "unknown";
    private volatile long contactNanos = System.nanoTime() - 2 * CONTACT_NANOS;
    private volatile String problem;

    Replicator(KvServer server, KvLog log, String peer) {
        this.server = server;
        this.log = log;
        this.peer = peer;
        this.thread = new Thread(this::run, "kv-replicator");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks the peer for the records after our last one; does not apply them. */
    Batch fetch(int waitMs, int maxBytes) throws IOException {
        long from = log.lastSeq() + 1;
        String target = "/log?from=" + from + "&wait_ms=" + waitMs + "&max_bytes=" + maxBytes
                + (from > 1 ? "&prev_crc=" + log.read(from - 1).crc() : "");
        MiniHttp.Response response = MiniHttp.send(peer, "GET", target, null, waitMs + 2000);
        contactNanos = System.nanoTime();
        peerRole = response.headers().getOrDefault("x-kv-role", "unknown");
        if (response.status() == 409) {
            problem = "diverged: " + response.text();
            throw new DivergedException(problem);
        }
        if (response.status() != 200) {
            throw new IOException("peer answered " + response.status() + ": " + response.text());
        }
        peerSeq = Long.parseLong(response.headers().getOrDefault("x-kv-seq", "-1"));
        problem = null;
        return new Batch(KvLog.split(response.body()), peerSeq, peerRole);
    }

    private void run() {
        boolean reachable = false;
        while (!closed) {
            if (server.role() != KvServer.Role.SBY || problem != null && problem.startsWith("diverged")) {
                pause(1000);
                continue;
            }
            try {
                Batch batch = fetch(LONG_POLL_MS, MAX_BATCH_BYTES);
                if (!reachable) {
                    server.log("peer " + peer + " reachable (" + batch.peerRole() + ", seq " + batch.peerSeq()
                            + "); local seq " + log.lastSeq());
                    reachable = true;
                }
                long before = log.lastSeq();
                server.applyReplicated(batch.records());
                if (before < batch.peerSeq() && log.lastSeq() >= batch.peerSeq() && batch.records().size() > 1) {
                    server.log("caught up with peer at seq " + log.lastSeq() + " (" + (log.lastSeq() - before) + " records)");
                }
            } catch (DivergedException e) {
                server.log("replication stopped, logs diverged: " + e.getMessage());
                reachable = false;
            } catch (IOException | RuntimeException e) {
                if (reachable || problem == null) {
                    server.log("peer " + peer + " unreachable: " + e);
                }
                problem = "unreachable: " + e.getMessage();
                reachable = false;
                pause(200);
            }
        }
    }

    /** Ends a pause or a divergence stop so the next pull happens now ({@code POST /resync}). */
    void wake() {
        if (problem != null && problem.startsWith("diverged")) {
            problem = null; // try again: if the logs still differ the peer says so at once
        }
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void pause(long millis) {
        synchronized (wake) {
            try {
                wake.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }
    }

    long peerSeq() {
        return peerSeq;
    }

    String peerRole() {
        return peerRole;
    }

    boolean reachable() {
        return System.nanoTime() - contactNanos < CONTACT_NANOS;
    }

    String problem() {
        return problem;
    }

    @Override
    public void close() {
        closed = true;
        wake();
        thread.interrupt();
    }
}
