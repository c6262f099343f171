package dev.duplex.engine.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The application a demo pair runs, as the demo needs it: only the application knows its
 * database's format, how to ask a member whether it serves, and how a client talks to it. The
 * engine depends on no application; the frontend that located the application's images provides this.
 */
public interface DemoApplication {
    /** The application's database in {@code data} filled to about {@code bytes}, the same content every time for the same size. */
    void fill(Path data, long bytes) throws IOException;

    /** The checksum of the database in {@code data}. */
    Checksum checksum(Path data) throws IOException;

    /** The checksum of the database in {@code data} over its records up to {@code upToSeq} (those that existed before). */
    Checksum checksum(Path data, long upToSeq) throws IOException;

    /** Returns once {@code member}, listening on {@code port}, reports healthy; throws after {@code timeout}. */
    void awaitHealthy(String member, int port, Duration timeout);

    /** Returns once {@code member}, a standby on {@code port}, has caught up with its peer; throws after {@code timeout}. */
    void awaitInSync(String member, int port, Duration timeout);

    /** A service address in front of {@code hostPort}, on a free local port: the local stand-in for a virtual IP. */
    ServiceAddress serviceAddress(String hostPort) throws IOException;

    /** A client sending {@code rate} requests per second to the local {@code port}, retrying a failed one. */
    ClientLoad startLoad(int port, int rate);

    /**
     * Writes to the local {@code port} every few milliseconds until a write is accepted; returns when
     * ({@link System#nanoTime}). Throws when none was accepted by {@code deadlineNanos}.
     */
    long firstAcceptedWrite(int port, long deadlineNanos);

    /**
     * A database's checksum.
     *
     * @param sha256 the hex SHA-256 over its records
     * @param seq the last record's sequence number
     */
    record Checksum(String sha256, long seq) {
        public Checksum {
            requireNonNull(sha256, "sha256 is null");
        }
    }

    /** Where clients send their requests; follows the active at a switchover. */
    interface ServiceAddress extends AutoCloseable {
        int port();

        void repoint(String hostPort);

        @Override
        void close() throws IOException;
    }

    /** A running client load. */
    interface ClientLoad {
        /** Stops sending, lets the requests in flight finish, and returns the counts. */
        LoadStats stop();

        /** The gap between two successful answers that contains {@code at}, as [start, end]; empty when a success came close to it. */
        Optional<Instant[]> gapAround(Instant at);
    }

    /**
     * What the client saw.
     *
     * @param requests requests sent (retries not counted)
     * @param failedAfterRetry requests that failed even after their retries
     * @param retries retries made
     * @param longestGapMs the longest time without a successful answer
     */
    record LoadStats(long requests, long failedAfterRetry, long retries, long longestGapMs) {}
}
