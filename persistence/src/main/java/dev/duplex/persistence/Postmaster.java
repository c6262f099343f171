package dev.duplex.persistence;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A PostgreSQL server running on a data directory, found from the {@code postmaster.pid} file
 * PostgreSQL keeps there (line 1: its pid, line 4: its port, line 5: its socket folder, line 6:
 * the first TCP address it listens on, empty for none).
 *
 * @param pid the postmaster's process id
 * @param port its port, which names its socket ({@code .s.PGSQL.<port>})
 * @param socketFolder the folder of its Unix socket
 * @param listenAddress the TCP address it listens on, empty when it listens on no TCP address
 */
record Postmaster(long pid, int port, String socketFolder, String listenAddress) {
    /** The server running on {@code dataDirectory}, if its process lives and its socket answers. */
    static Optional<Postmaster> running(Path dataDirectory) {
        return recorded(dataDirectory).filter(Postmaster::answers);
    }

    /** The server {@code postmaster.pid} names, if its process lives (whether or not it answers). */
    static Optional<Postmaster> recorded(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.size() < 6) {
            return Optional.empty();
        }
        try {
            Postmaster postmaster = new Postmaster(Long.parseLong(lines.get(0).strip()), Integer.parseInt(lines.get(3).strip()),
                    lines.get(4).strip(), lines.get(5).strip());
            return postmaster.alive() ? Optional.of(postmaster) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The path of its Unix socket. */
    Path socket() {
        return Path.of(socketFolder, ".s.PGSQL." + port);
    }

    boolean answers() {
        if (socketFolder.isEmpty()) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            return channel.isConnected();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Stops the server the way {@code pg_ctl stop -m fast} does (SIGINT: roll back open
     * transactions, disconnect clients, shut down cleanly) and waits for it to exit.
     */
    void stopFast(Duration timeout) {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            kill.waitFor();
            ProcessHandle.of(pid).ifPresent(handle -> {
                try {
                    handle.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    // checked below
                }
            });
        } catch (IOException e) {
            throw new DatabaseException("Cannot signal the embedded PostgreSQL (pid " + pid + ") to stop: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (alive()) {
            throw new DatabaseException("The embedded PostgreSQL (pid " + pid + ") did not stop within " + timeout.toSeconds()
                    + " s; stop it with: kill -INT " + pid, null);
        }
    }
}
