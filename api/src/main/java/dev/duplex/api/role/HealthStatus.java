package dev.duplex.api.role;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What a member's health check said.
 *
 * @param healthy whether the member serves (or is ready to)
 * @param version the software version the member reports, if it does
 * @param detail what the check said, for messages
 */
public record HealthStatus(boolean healthy, Optional<String> version, String detail) {
    public HealthStatus {
        requireNonNull(version, "version is null");
        requireNonNull(detail, "detail is null");
    }

    public static HealthStatus healthy(String detail) {
        return new HealthStatus(true, Optional.empty(), detail);
    }

    public static HealthStatus unhealthy(String detail) {
        return new HealthStatus(false, Optional.empty(), detail);
    }
}
