package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What {@code duplex db status} shows.
 *
 * @param location the JDBC URL with secrets redacted
 * @param embedded whether it is Duplex's embedded PostgreSQL
 * @param schemaVersion the applied schema version, empty for an empty database
 * @param latestKnownVersion the newest schema version this Duplex knows
 * @param pendingMigrations migrations this Duplex would apply, as {@code V2 jobs}
 * @param server the embedded server's process, port, data folder and starter, when embedded
 */
public record DatabaseStatus(String location, boolean embedded, Optional<String> schemaVersion, Optional<String> latestKnownVersion,
        List<String> pendingMigrations, Optional<EmbeddedServerStatus> server) {
    public DatabaseStatus {
        requireNonNull(location, "location is null");
        requireNonNull(schemaVersion, "schemaVersion is null");
        requireNonNull(latestKnownVersion, "latestKnownVersion is null");
        pendingMigrations = List.copyOf(requireNonNull(pendingMigrations, "pendingMigrations is null"));
        requireNonNull(server, "server is null");
    }
}
