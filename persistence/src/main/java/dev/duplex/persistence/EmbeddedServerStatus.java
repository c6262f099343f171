package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The embedded PostgreSQL as {@code duplex db status} shows it.
 *
 * @param postmasterPid the PostgreSQL server process
 * @param port its port, which names its Unix socket (it listens on no TCP port)
 * @param socket the Unix socket it listens on, in a folder only this user can enter
 * @param dataDirectory where its data lives
 * @param owner which Duplex process started it, and when
 * @param startedByThisProcess whether this process started it
 * @param users how many Duplex processes use it now (this one included when it joined)
 * @param idleStop how long it stays up once unused; zero: it stops when the last user exits
 * @param stopsAt when it will stop if no one uses it before; empty while in use or without an idle time
 */
public record EmbeddedServerStatus(long postmasterPid, int port, Path socket, Path dataDirectory, EmbeddedOwner owner,
        boolean startedByThisProcess, int users, Duration idleStop, Optional<Instant> stopsAt) {
    public EmbeddedServerStatus {
        requireNonNull(idleStop, "idleStop is null");
        requireNonNull(stopsAt, "stopsAt is null");
        requireNonNull(socket, "socket is null");
        requireNonNull(dataDirectory, "dataDirectory is null");
        requireNonNull(owner, "owner is null");
    }
}
