package dev.duplex.example.kv;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A KvServer running as a real child process on 127.0.0.1, as in a local VM. */
final class KvProcess implements AutoCloseable {
    /** The role token every test member gets unless its env says otherwise, so pairs can ask each other to step down. */
    static final String TOKEN = "test-role-token-7f3a";

    final String name;
    final int port;
    final String token;
    private final Process process;

    private KvProcess(String name, int port, String token, Process process) {
        this.name = name;
        this.port = port;
        this.token = token;
        this.process = process;
    }

    /** Starts {@code KvServer} with {@code env} (KV_PORT is added) and waits until /health answers 200. */
    static KvProcess start(String name, int port, Map<String, String> env, Path logDir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(javaBin(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", classes().toString(), KvServer.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + ".log").toFile()));
        builder.environment().put("ROLE_TOKEN", TOKEN);
        builder.environment().putAll(env);
        builder.environment().put("KV_PORT", String.valueOf(port));
        builder.environment().put("DUPLEX_VM_NAME", name);
        KvProcess started = new KvProcess(name, port, builder.environment().get("ROLE_TOKEN"), builder.start());
        await(name + " healthy", Duration.ofSeconds(20), () -> started.healthy());
        return started;
    }

    boolean healthy() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue());
        }
        try {
            return call("GET", "/health", null).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** A request as the member's operator sends it: with its role token. */
    MiniHttp.Response call(String method, String target, String body) throws IOException {
        return callWith(token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), method, target, body);
    }

    /** A request with exactly these headers (none: as anyone else on the host would send it). */
    MiniHttp.Response callWith(Map<String, String> headers, String method, String target, String body) throws IOException {
        return MiniHttp.send("127.0.0.1", port, method, target, body == null ? null : body.getBytes(StandardCharsets.UTF_8), 5000,
                headers);
    }

    String field(String target, String field) throws IOException {
        return call("GET", target, null).field(field);
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** SIGTERM, as the driver's graceful stop. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** SIGKILL: no shutdown hook, no index checkpoint. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                stop();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static Path classes() {
        try {
            return Path.of(KvServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Polls {@code condition} every 10 ms until it holds; fails after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
