package dev.duplex.bench.fleet;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Light-application members started directly, without Duplex, for tests; and the Python they need. */
final class LightApp implements AutoCloseable {
    private final Path script;
    private final List<Process> processes = new ArrayList<>();

    LightApp(Path folder) {
        this.script = RealFleetImages.write(folder, python()).get(0).resolve("lightapp.py");
    }

    /** Python 3; a test without it is skipped, except in CI, where a missing peer is a failure. */
    static Path python() {
        var python = RealFleetImages.findPython();
        if (python.isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("python3 is missing; .ci/bench/install-packages.sh installs it");
        }
        assumeTrue(python.isPresent(), "python3 is not installed");
        return python.get();
    }

    /** Starts a member on {@code dataDir} (created), serving on {@code port}, its peer on {@code peerPort}; returns its process. */
    Process start(Path dataDir, int port, int peerPort, String role, String token) throws IOException {
        Files.createDirectories(dataDir);
        ProcessBuilder builder = new ProcessBuilder(python().toString(), "-I", script.toString())
                .redirectErrorStream(true).redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("PORT", Integer.toString(port));
        env.put("PEER", "127.0.0.1:" + peerPort);
        env.put("ROLE", role);
        env.put("ROLE_TOKEN", token);
        env.put("DATA_DIR", dataDir.toString());
        env.put("DUPLEX_VM_ID", "vm-" + port);
        env.put("DUPLEX_IMAGE_VERSION", "v1");
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
