package dev.duplex.example.kv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;

/**
 * The replicated key-value service the demo runs in each VM of an ACT/SBY pair.
 *
 * <p>Run: {@code java -cp kv.jar dev.duplex.example.kv.KvServer} with, from the environment (or
 * {@code --port/--data-dir/--version/--peer/--role/--role-file}):
 * <ul>
 * <li>{@code KV_PORT} HTTP port (default 8080);
 * <li>{@code KV_DATA_DIR} database folder (default {@code $DUPLEX_VM_ROOT/db}, the linked volume);
 * <li>{@code KV_VERSION} reported software version (default {@code $DUPLEX_IMAGE_VERSION}, then the
 *     {@code version} file next to the jar);
 * <li>{@code KV_PEER} host:port of the other member (none: a single member);
 * <li>{@code KV_ROLE} role at the very first start (default SBY, so a misconfigured pair never has two
 *     ACTs); afterwards the role is kept in {@code KV_ROLE_FILE} (default {@code <data dir>/role}), on
 *     the database volume, so it survives restarts and upgrades;
 * <li>{@code KV_HEALTH=fail} makes {@code /health} answer 503 (the deliberately broken image);
 * <li>{@code KV_BIND} address to listen on (default {@code 127.0.0.1}: only this host reaches it);
 * <li>{@code ROLE_TOKEN} (or {@code KV_ROLE_TOKEN}) the token {@code POST /role} requires in
 *     {@code Authorization: Bearer <token>} (401 without, 403 when wrong or when none was given at
 *     start); Duplex's http role controller finds it in the member's property {@code env.ROLE_TOKEN};
 * <li>{@code KV_PEER_ROLE_TOKEN} the peer's token, for asking it to step down (default: our own).
 * </ul>
 * Every answer about the member ({@code /role}, {@code /health}, {@code /sync}) carries
 * {@code "vm"} and {@code "vm_id"} from the driver's {@code DUPLEX_VM_NAME} and {@code DUPLEX_VM_ID},
 * so a role controller can tell this member from another service that took its port.
 * Also {@code KvServer fill --dir D --bytes 64MiB [--value-size 32KiB]} and
 * {@code KvServer checksum --dir D [--upto SEQ]}.
 *
 * <p>Only the ACT accepts writes, acknowledged once they are fsynced in its own log (replication to the
 * SBY is asynchronous; a switchover loses nothing because the new ACT first catches up with the old
 * one's last seq). The SBY pulls the ACT's log (see {@link Replicator}). One line per event goes to
 * stdout, which the local driver writes to the VM's console.log; single writes are not logged.
 */
public final class KvServer implements Closeable {
    /** The member's role in the pair. */
    public enum Role { ACT, SBY }

    /**
     * Start-up settings.
     *
     * @param port HTTP port (0: any free one)
     * @param dataDir database folder
     * @param version software version reported by {@code /health}
     * @param peer host:port of the other member, or null
     * @param roleFile where the role is kept
     * @param initialRole role when {@code roleFile} does not exist yet
     * @param name name in log lines
     * @param failHealth answer {@code /health} with 503 (KV_HEALTH=fail): a deliberately bad image,
     *     to show that a new image failing its health check is rolled back
     * @param vmId the VM's id from its driver, echoed as {@code vm_id} (empty: not run by a driver)
     * @param bind the address to listen on
     * @param roleToken what {@code POST /role} requires, or null: then role changes are refused
     * @param peerRoleToken what the peer's {@code POST /role} requires, or null
     */
    public record Config(int port, Path dataDir, String version, String peer, Path roleFile, Role initialRole, String name,
                         boolean failHealth, String vmId, String bind, String roleToken, String peerRoleToken) {
        /** A member listening on loopback whose role changes need {@code roleToken} (also the peer's). */
        public Config(int port, Path dataDir, String version, String peer, Path roleFile, Role initialRole, String name,
                boolean failHealth, String roleToken) {
            this(port, dataDir, version, peer, roleFile, initialRole, name, failHealth, "", "127.0.0.1", roleToken, roleToken);
        }

        @Override
        public String toString() {
            // the tokens are secrets: never in a log line or an exception
            return "Config[port=" + port + ", dataDir=" + dataDir + ", version=" + version + ", peer=" + peer + ", name=" + name
                    + ", vmId=" + vmId + ", bind=" + bind + ", roleToken=" + (roleToken == null ? "none" : "(set)") + "]";
        }

        /** Settings from environment variables, overridden by {@code --name value} arguments. */
        public static Config from(Map<String, String> env, String[] args) {
            Map<String, String> values = new HashMap<>(env);
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --option value, got " + args[i]);
                }
                values.put("KV_" + args[i].substring(2).replace('-', '_').toUpperCase(Locale.ROOT), args[i + 1]);
            }
            Path root = Path.of(values.getOrDefault("DUPLEX_VM_ROOT", "."));
            Path dataDir = Path.of(values.getOrDefault("KV_DATA_DIR", root.resolve("db").toString()));
            String version = values.getOrDefault("KV_VERSION", values.getOrDefault("DUPLEX_IMAGE_VERSION", versionFile()));
            String peer = values.get("KV_PEER");
            String roleToken = blankToNull(values.getOrDefault("KV_ROLE_TOKEN", values.get("ROLE_TOKEN")));
            return new Config(Integer.parseInt(values.getOrDefault("KV_PORT", "8080")), dataDir, version,
                    peer == null || peer.isBlank() ? null : peer.trim(),
                    Path.of(values.getOrDefault("KV_ROLE_FILE", dataDir.resolve("role").toString())),
                    Role.valueOf(values.getOrDefault("KV_ROLE", "SBY").toUpperCase(Locale.ROOT)),
                    values.getOrDefault("DUPLEX_VM_NAME", "kv"),
                    values.getOrDefault("KV_HEALTH", "ok").equalsIgnoreCase("fail"),
                    values.getOrDefault("DUPLEX_VM_ID", ""),
                    values.getOrDefault("KV_BIND", "127.0.0.1"),
                    roleToken,
                    Optional.ofNullable(blankToNull(values.get("KV_PEER_ROLE_TOKEN"))).orElse(roleToken));
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }

        /** The {@code version} file next to the jar (ImageFolders writes one), else "unknown". */
        private static String versionFile() {
            try {
                Path code = Path.of(KvServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                Path file = (Files.isDirectory(code) ? code : code.getParent()).resolve("version");
                return Files.isRegularFile(file) ? Files.readString(file).trim() : "unknown";
            } catch (IOException | URISyntaxException | RuntimeException e) {
                return "unknown";
            }
        }
    }

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._~-]{1,200}");

    static {
        NoDelay.require();
    }
    private static final int MAX_PUT_BYTES = 1 << 20;
    private static final long FOLLOWER_NANOS = Replicator.CONTACT_NANOS;

    private final Config config;
    private final HttpServer http;
    private final ExecutorService pool = Executors.newFixedThreadPool(16, daemon("kv-http"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("kv-timer"));
    /** Writes hold the read side; a role change takes the write side, so it waits for writes in flight. */
    private final ReentrantReadWriteLock roleLock = new ReentrantReadWriteLock();
    private volatile Role role;
    private volatile KvLog log; // null until the log is replayed
    private volatile Replicator replicator;
    // The ACT's view of its SBY, from the SBY's pulls: it asks from its last seq + 1.
    private volatile long followerSeq = -1;
    private volatile long followerSeenNanos = System.nanoTime() - 2 * FOLLOWER_NANOS;
    private long loggedSeq = -1;

    private KvServer(Config config) throws IOException {
        this.config = config;
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(config.bind()), config.port()), 128);
        http.createContext("/", this::handle);
        http.setExecutor(pool);
    }

    /** Binds the port, replays the log (health answers 503 meanwhile) and starts replication. */
    public static KvServer start(Config config) throws IOException {
        KvServer server = new KvServer(config);
        server.http.start();
        try {
            server.open();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void open() throws IOException {
        role = readRole();
        // A role change runs code nothing else does: the SHA-256 provider of the token check, the role
        // file's atomic move. Loading it now, while /health still answers 503, keeps that first-use cost
        // (hundreds of ms on a busy host) out of a switchover's service gap.
        sameToken("warm-up", "warm-up");
        writeRole(role);
        KvLog opened = KvLog.open(config.dataDir());
        KvLog.OpenReport report = opened.openReport();
        log("ready: version " + config.version() + ", role " + role + ", seq " + opened.lastSeq() + ", " + opened.size()
                + " keys, " + opened.bytes() + " bytes in " + config.dataDir() + "; replayed in " + report.millis() + " ms ("
                + (report.fromIndex() ? "index checkpoint + " : "full scan, ") + report.tailRecords() + " records scanned"
                + (report.truncatedBytes() > 0 ? ", cut a torn tail of " + report.truncatedBytes() + " bytes" : "")
                + "); port " + port() + (config.peer() == null ? ", no peer" : ", peer " + config.peer())
                + (config.failHealth() ? "; KV_HEALTH=fail: /health will answer 503" : ""));
        log = opened;
        loggedSeq = opened.lastSeq();
        if (config.peer() != null) {
            replicator = new Replicator(this, opened, config.peer());
            replicator.start();
        }
        timer.scheduleWithFixedDelay(this::housekeeping, 10, 10, TimeUnit.SECONDS);
    }

    private Role readRole() throws IOException {
        Path file = config.roleFile();
        if (Files.isRegularFile(file)) {
            return Role.valueOf(Files.readString(file).trim());
        }
        writeRole(config.initialRole()); // from now on the file, not KV_ROLE, decides
        return config.initialRole();
    }

    private void writeRole(Role newRole) throws IOException {
        Path file = config.roleFile();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, newRole + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Periodic index checkpoint (so a restart scans little) and a stats line when something changed. */
    private void housekeeping() {
        try {
            KvLog current = log;
            if (current != null && current.lastSeq() != loggedSeq) {
                current.checkpoint();
                loggedSeq = current.lastSeq();
                log("stats: role " + role + ", seq " + loggedSeq + ", " + current.size() + " keys, " + current.bytes() + " bytes");
            }
        } catch (IOException | RuntimeException e) {
            log("checkpoint failed: " + e);
        }
    }

    /** The bound HTTP port. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The current role. */
    public Role role() {
        return role;
    }

    void log(String message) {
        System.out.println(Instant.now() + " " + config.name() + " " + message);
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (log == null) {
                reply(exchange, 503, Json.object("status", "starting", "version", config.version()), "Retry-After", "1");
                return;
            }
            switch (path) {
                case "/health" -> {
                    if (config.failHealth()) {
                        reply(exchange, 503, Json.object("status", "failing", "version", config.version(), "role", role.name(),
                                "seq", log.lastSeq(), "vm", config.name(), "vm_id", config.vmId()));
                    } else {
                        reply(exchange, 200, Json.object("status", "ok", "version", config.version(), "role", role.name(),
                                "seq", log.lastSeq(), "vm", config.name(), "vm_id", config.vmId()));
                    }
                }
                case "/role" -> {
                    if (method.equals("POST")) {
                        if (mayChangeRole(exchange)) {
                            changeRole(exchange, query);
                        }
                    } else {
                        reply(exchange, 200, Json.object("role", role.name(), "seq", log.lastSeq(), "version", config.version(),
                                "vm", config.name(), "vm_id", config.vmId()));
                    }
                }
                case "/sync" -> reply(exchange, 200, syncJson());
                case "/resync" -> resync(exchange, query);
                case "/log" -> serveLog(exchange, query);
                case "/checksum" -> {
                    long upto = Long.parseLong(query.getOrDefault("upto", String.valueOf(log.durableSeq())));
                    reply(exchange, 200, KvLog.checksum(config.dataDir(), Math.min(upto, log.durableSeq())).toJson());
                }
                default -> {
                    if (path.startsWith("/kv/")) {
                        keyValue(exchange, method, path.substring(4));
                    } else {
                        reply(exchange, 404, Json.object("error", "no such endpoint: " + path));
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            reply(exchange, 400, Json.object("error", e.getMessage()));
        } catch (IOException | RuntimeException e) {
            log("request failed: " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + ": " + e);
            reply(exchange, 500, Json.object("error", e.toString()));
        }
    }

    private void keyValue(HttpExchange exchange, String method, String key) throws IOException {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key must match " + KEY.pattern());
        }
        if (method.equals("GET")) {
            Optional<byte[]> value = log.get(key);
            if (value.isEmpty()) {
                reply(exchange, 404, Json.object("error", "no such key", "key", key));
            } else {
                send(exchange, 200, "application/octet-stream", value.get());
            }
            return;
        }
        if (!method.equals("PUT") && !method.equals("POST")) {
            reply(exchange, 405, Json.object("error", "use GET, PUT or POST"));
            return;
        }
        byte[] value = exchange.getRequestBody().readNBytes(MAX_PUT_BYTES + 1);
        if (value.length > MAX_PUT_BYTES) {
            reply(exchange, 413, Json.object("error", "value larger than " + MAX_PUT_BYTES + " bytes"));
            return;
        }
        long seq;
        roleLock.readLock().lock();
        try {
            if (role != Role.ACT) {
                // Connection: close, so a client behind a repointed ServiceAddress reconnects to the new ACT.
                reply(exchange, 503, Json.object("error", "not ACT", "role", role.name()), "Retry-After", "1", "Connection", "close");
                return;
            }
            seq = log.append(key, value);
        } finally {
            roleLock.readLock().unlock();
        }
        reply(exchange, 200, Json.object("key", key, "seq", seq));
    }

    // ---------------------------------------------------------------- roles

    /**
     * Whether the request carries our role token; answers 401/403 itself when not. Anyone who can
     * reach the port could otherwise demote the ACT or promote a stale SBY.
     */
    private boolean mayChangeRole(HttpExchange exchange) throws IOException {
        if (config.roleToken() == null) {
            reply(exchange, 403, Json.object("error", "this member was started without ROLE_TOKEN: role changes are refused"));
            return false;
        }
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        if (given == null || !given.startsWith("Bearer ")) {
            reply(exchange, 401, Json.object("error", "POST /role needs the header Authorization: Bearer <role token>"),
                    "WWW-Authenticate", "Bearer");
            return false;
        }
        if (!sameToken(given.substring("Bearer ".length()).strip(), config.roleToken())) {
            log("role change refused: wrong role token from " + exchange.getRemoteAddress());
            reply(exchange, 403, Json.object("error", "wrong role token"));
            return false;
        }
        return true;
    }

    /** Compares digests in constant time, so neither the content nor the length of the token leaks through timing. */
    static boolean sameToken(String given, String expected) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] a = sha.digest(given.getBytes(StandardCharsets.UTF_8));
            byte[] b = sha.digest(expected.getBytes(StandardCharsets.UTF_8));
            return MessageDigest.isEqual(a, b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The header the peer's {@code POST /role} needs. */
    private Map<String, String> peerAuthorization() {
        return config.peerRoleToken() == null ? Map.of() : Map.of("Authorization", "Bearer " + config.peerRoleToken());
    }

    private void changeRole(HttpExchange exchange, Map<String, String> query) throws IOException {
        Role to = Role.valueOf(query.getOrDefault("to", "").toUpperCase(Locale.ROOT));
        long started = System.nanoTime();
        if (to == Role.SBY) {
            Role was = demote("requested");
            reply(exchange, 200, Json.object("role", role.name(), "previous", was.name(), "seq", log.lastSeq()));
            return;
        }
        boolean force = Boolean.parseBoolean(query.getOrDefault("force", "false"));
        long timeout = Long.parseLong(query.getOrDefault("timeout_ms", "10000"));
        String peerSeq = query.getOrDefault("peer_seq", "");
        Optional<String> refusal = promote(force, timeout, peerSeq.isEmpty() ? -1 : Long.parseLong(peerSeq));
        if (refusal.isPresent()) {
            reply(exchange, 409, Json.object("error", refusal.get(), "role", role.name(), "seq", log.lastSeq()));
        } else {
            reply(exchange, 200, Json.object("role", role.name(), "seq", log.lastSeq(),
                    "took_ms", (System.nanoTime() - started) / 1_000_000));
        }
    }

    /** ACT → SBY: stop taking writes (waiting for those in flight), then follow the peer. */
    private Role demote(String why) throws IOException {
        long started = System.nanoTime();
        Role was;
        roleLock.writeLock().lock();
        try {
            was = role;
            if (was != Role.SBY) {
                role = Role.SBY;
                writeRole(Role.SBY);
            }
        } finally {
            roleLock.writeLock().unlock();
        }
        if (was != Role.SBY) {
            log.wakeReaders(); // end the peer's long-poll now, so it sees our new role at once
            log("role ACT -> SBY (" + why + "), last seq " + log.lastSeq() + "; writes in flight drained in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            if (replicator != null) {
                replicator.wake();
            }
        }
        return was;
    }

    /**
     * SBY → ACT, a switchover in one call: if the peer is still ACT it is asked to step down first;
     * then the records it has and we lack are pulled; then we take writes. Refused (nothing changed,
     * or the peer handed its role back) when the peer cannot be reached or does not hand over in time,
     * unless {@code force} (a failover: the peer is gone and what it did not replicate is lost).
     *
     * <p>{@code peerSeq} ({@code -1}: not given) is the last seq the peer stated when it was demoted
     * by the caller: it takes no more writes, so once we hold that seq we hold everything it has and
     * need not ask it again, which spares the switchover one round trip. Replication usually
     * brought those records before the takeover arrives: the demote ended our long-poll.
     */
    private Optional<String> promote(boolean force, long timeoutMillis, long peerSeq) throws IOException {
        if (role == Role.ACT) {
            return Optional.empty();
        }
        boolean demotedPeer = false;
        long started = System.nanoTime();
        boolean heldPeerSeq = replicator != null && !force && peerSeq >= 0 && awaitSeq(peerSeq, Math.min(timeoutMillis, 50));
        if (replicator != null && !heldPeerSeq) {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            while (true) {
                try {
                    Replicator.Batch batch = replicator.fetch(0, 64 << 20);
                    applyReplicated(batch.records());
                    if (batch.peerRole().equals("ACT")) {
                        MiniHttp.Response answer = MiniHttp.send(config.peer(), "POST", "/role?to=SBY", null, 5000, peerAuthorization());
                        if (answer.status() != 200) {
                            throw new IOException("peer refused to step down: " + answer.status() + " " + answer.text());
                        }
                        demotedPeer = true;
                        continue; // pull what it committed before it stopped
                    }
                    if (log.lastSeq() >= batch.peerSeq()) {
                        break; // we hold everything the peer has
                    }
                } catch (IOException e) {
                    if (force) {
                        log("promoting without the peer (forced): " + e.getMessage());
                        break;
                    }
                    return Optional.of(handBack(demotedPeer, "peer " + config.peer() + " not usable: " + e.getMessage()
                            + "; use force=true to promote without it (failover)"));
                }
                if (System.nanoTime() > deadline) {
                    return Optional.of(handBack(demotedPeer, "not caught up with the peer within " + timeoutMillis + " ms"));
                }
            }
        }
        long caughtUp = System.nanoTime();
        roleLock.writeLock().lock();
        long locked = System.nanoTime();
        try {
            role = Role.ACT;
            writeRole(Role.ACT);
        } finally {
            roleLock.writeLock().unlock();
        }
        log.wakeReaders();
        // where a switchover's time went on this side: catching up with the peer, waiting for replication in flight, the role file
        log("role SBY -> ACT" + (demotedPeer ? " (peer stepped down)" : "")
                + (heldPeerSeq ? " (held the seq " + peerSeq + " the demoted peer stated, not asked again)" : "") + ", seq " + log.lastSeq() + "; caught up in "
                + (caughtUp - started) / 1_000_000 + " ms, role lock after " + (locked - caughtUp) / 1_000_000 + " ms, role file "
                + (System.nanoTime() - locked) / 1_000_000 + " ms");
        return Optional.empty();
    }

    /** Whether replication brings our log to {@code seq} within {@code waitMillis}. */
    private boolean awaitSeq(long seq, long waitMillis) {
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        while (log.lastSeq() < seq) {
            if (System.nanoTime() > deadline) {
                return false; // ask the peer, as without peer_seq
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** After a failed promotion, gives the ACT role back to the peer we demoted, so the pair keeps serving. */
    private String handBack(boolean demotedPeer, String reason) {
        log("promotion refused: " + reason);
        if (demotedPeer) {
            try {
                MiniHttp.send(config.peer(), "POST", "/role?to=ACT", null, 5000, peerAuthorization());
                return reason + " (the peer took the ACT role back)";
            } catch (IOException e) {
                return reason + " (and giving the ACT role back to the peer failed: " + e.getMessage() + ")";
            }
        }
        return reason;
    }

    /** Applies pulled records, unless we became ACT meanwhile (then they are stale). */
    void applyReplicated(List<ByteBuffer> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        roleLock.readLock().lock();
        try {
            if (role == Role.SBY) {
                log.appendReplicated(records);
            }
        } finally {
            roleLock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- replication

    /**
     * {@code GET /log?from=SEQ[&prev_crc=C][&wait_ms=W][&max_bytes=B]}: raw durable records from SEQ,
     * held up to W ms when there are none yet. Headers {@code X-Kv-Seq} (our durable seq) and
     * {@code X-Kv-Role}. The caller's from - 1 is its last seq: that is how an ACT knows its SBY's lag.
     */
    private void serveLog(HttpExchange exchange, Map<String, String> query) throws IOException {
        long from = Long.parseLong(query.getOrDefault("from", "1"));
        followerSeq = from - 1;
        followerSeenNanos = System.nanoTime();
        String prevCrc = query.get("prev_crc");
        if (prevCrc != null && from - 1 >= 1 && from - 1 <= log.lastSeq()
                && log.read(from - 1).crc() != Integer.parseInt(prevCrc)) {
            reply(exchange, 409, Json.object("error", "record " + (from - 1) + " differs from ours: the logs diverged"),
                    "X-Kv-Seq", String.valueOf(log.durableSeq()), "X-Kv-Role", role.name());
            return;
        }
        int waitMs = (int) Math.min(2000, Long.parseLong(query.getOrDefault("wait_ms", "0")));
        try {
            log.awaitDurable(from, waitMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int maxBytes = (int) Math.min(64 << 20, Long.parseLong(query.getOrDefault("max_bytes", String.valueOf(4 << 20))));
        byte[] body = log.rawFrom(from, maxBytes);
        exchange.getResponseHeaders().add("X-Kv-Seq", String.valueOf(log.durableSeq()));
        exchange.getResponseHeaders().add("X-Kv-Role", role.name());
        send(exchange, 200, "application/octet-stream", body);
    }

    private String syncJson() {
        long seq = log.lastSeq();
        if (role == Role.ACT) {
            boolean seen = System.nanoTime() - followerSeenNanos < FOLLOWER_NANOS;
            return Json.object("in_sync", seen && followerSeq >= seq, "lag", Math.max(0, seq - followerSeq), "seq", seq,
                    "peer_seq", followerSeq, "role", role.name(), "peer_reachable", seen, "vm", config.name(), "vm_id", config.vmId());
        }
        if (replicator == null) {
            return Json.object("in_sync", false, "lag", null, "seq", seq, "peer_seq", null, "role", role.name(),
                    "peer_reachable", false, "problem", "no peer configured", "vm", config.name(), "vm_id", config.vmId());
        }
        long peerSeq = replicator.peerSeq();
        boolean reachable = replicator.reachable();
        boolean inSync = reachable && replicator.problem() == null && peerSeq >= 0 && seq >= peerSeq;
        return Json.object("in_sync", inSync, "lag", peerSeq < 0 ? null : Math.max(0, peerSeq - seq), "seq", seq,
                "peer_seq", peerSeq < 0 ? null : peerSeq, "role", role.name(), "peer_reachable", reachable,
                "problem", replicator.problem(), "vm", config.name(), "vm_id", config.vmId());
    }

    /** {@code POST /resync[?wait_ms=W]}: pull from the peer now; with W, answer once in sync or after W ms. */
    private void resync(HttpExchange exchange, Map<String, String> query) throws IOException {
        if (replicator != null) {
            replicator.wake();
        }
        long deadline = System.nanoTime() + Long.parseLong(query.getOrDefault("wait_ms", "0")) * 1_000_000;
        String status = syncJson();
        while (!status.contains("\"in_sync\":true") && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20); // polls our own state: the replicator thread does the work
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            status = syncJson();
        }
        reply(exchange, 200, status);
    }

    // ---------------------------------------------------------------- helpers

    private static void reply(HttpExchange exchange, int status, String json, String... headers) throws IOException {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        send(exchange, status, "application/json", (json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Stops serving, then checkpoints and closes the log. */
    @Override
    public void close() {
        http.stop(0);
        timer.shutdownNow();
        if (replicator != null) {
            replicator.close();
        }
        pool.shutdown();
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        KvLog current = log;
        if (current != null) {
            try {
                current.close();
                log("stopped at seq " + current.lastSeq());
            } catch (IOException e) {
                log("close failed: " + e);
            }
        }
    }

    // ---------------------------------------------------------------- command line

    /** {@code KvServer [--option value...]}, {@code KvServer fill ...} or {@code KvServer checksum ...}. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("fill")) {
            Map<String, String> options = options(args);
            Path dir = Path.of(required(options, "--dir"));
            long bytes = parseSize(required(options, "--bytes"));
            long started = System.nanoTime();
            long records = KvLog.fill(dir, bytes, (int) parseSize(options.getOrDefault("--value-size", "32KiB")));
            System.out.println(Json.object("dir", dir.toString(), "records", records, "bytes",
                    Files.size(dir.resolve(KvLog.LOG_FILE)), "ms", (System.nanoTime() - started) / 1_000_000));
            return;
        }
        if (args.length > 0 && args[0].equals("checksum")) {
            Map<String, String> options = options(args);
            System.out.println(KvLog.checksum(Path.of(required(options, "--dir")),
                    Long.parseLong(options.getOrDefault("--upto", String.valueOf(Long.MAX_VALUE)))).toJson());
            return;
        }
        KvServer server = start(Config.from(System.getenv(), args));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "kv-shutdown")); // SIGTERM from the driver's stop
        Thread.currentThread().join();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return value;
    }

    /** "64MiB", "1GiB", "512k", "1000" → bytes (K/M/G and KiB/MiB/GiB are both powers of 1024). */
    public static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long unit = 1;
        if (!t.isEmpty() && "KMG".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = 1L << (10 * ("KMG".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t.trim()) * unit;
    }
}
