package dev.duplex.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link ServerNodeMain} in a real child JVM on this test's class path; its log goes to target/child-jvms/. */
final class ServerNode implements AutoCloseable {
    private final Process process;
    final int port;

    private ServerNode(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ServerNode start(Path installation, String name) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ServerNodeMain.class.getName(),
                installation.toString()));
        Path logs = Path.of("target", "child-jvms");
        Files.createDirectories(logs);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        BlockingQueue<String> listening = new LinkedBlockingQueue<>();
        Path log = logs.resolve("server-node-" + name + ".log");
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    var file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("LISTENING ")) {
                        listening.add(line);
                    }
                    file.write(line);
                    file.newLine();
                    file.flush();
                }
            } catch (IOException e) {
                // the node ended
            }
        }, "server-node-" + name);
        reader.setDaemon(true);
        reader.start();
        String line = listening.poll(120, TimeUnit.SECONDS);
        if (line == null) {
            process.destroyForcibly();
            throw new AssertionError("server node " + name + " did not start listening within 120 s; see " + log.toAbsolutePath());
        }
        return new ServerNode(process, Integer.parseInt(line.split(" ")[1]));
    }

    long pid() {
        return process.pid();
    }

    Api api() {
        return new Api(java.net.http.HttpClient.newHttpClient(), "http://127.0.0.1:" + port);
    }

    /** SIGKILL: no drain, no release; its job keeps its owner until the heartbeat is stale. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM (a drain), then SIGKILL if it is still up a minute later. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

}
