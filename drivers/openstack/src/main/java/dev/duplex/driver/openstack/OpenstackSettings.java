package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.Redaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Set;

/**
 * An endpoint's settings: the Keystone v3 URL (with the user name in its user-info), the
 * project and domain, the flavor new servers get, and how state changes are awaited.
 *
 * @param authUrl Keystone's v3 URL without user-info, e.g. {@code https://keystone.example:5000/v3}
 * @param user the user name, from the URI's user-info
 * @param project the project (tenant) the driver works in
 * @param domain the domain of the user and the project
 * @param flavor the flavor name for new servers
 * @param pollInterval the pause between two looks at a changing server or volume
 * @param stateTimeout how long a server or volume may take to reach a state
 */
record OpenstackSettings(String endpoint, String authUrl, String user, String project, String domain, String flavor,
        Duration pollInterval, Duration stateTimeout) {
    static final String PROJECT = "project";
    static final String DOMAIN = "domain";
    static final String FLAVOR = "flavor";
    static final String POLL_INTERVAL_MS = "poll-interval-ms";
    static final String STATE_TIMEOUT_SECONDS = "state-timeout-seconds";
    private static final Set<String> KNOWN = Set.of(PROJECT, DOMAIN, FLAVOR, POLL_INTERVAL_MS, STATE_TIMEOUT_SECONDS);

    OpenstackSettings {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(authUrl, "authUrl is null");
        requireNonNull(user, "user is null");
        requireNonNull(project, "project is null");
        requireNonNull(domain, "domain is null");
        requireNonNull(flavor, "flavor is null");
        requireNonNull(pollInterval, "pollInterval is null");
        requireNonNull(stateTimeout, "stateTimeout is null");
    }

    static OpenstackSettings of(DriverConfig config) {
        ObjectId where = new ObjectId(ObjectKind.ENDPOINT, config.endpoint());
        for (String key : config.properties().keySet()) {
            if (!KNOWN.contains(key)) {
                throw new InvalidSpecException("Endpoint '" + config.endpoint() + "' has an unknown openstack property '" + key
                        + "'; known: " + String.join(", ", new java.util.TreeSet<>(KNOWN)), where);
            }
        }
        if (!Redaction.secretsIn(config.uri()).isEmpty()) {
            throw new InvalidSpecException("Endpoint '" + config.endpoint() + "' has a secret in its URI "
                    + config.redactedUri() + "; put the password in the credential file", where);
        }
        URI uri;
        try {
            uri = new URI(config.uri());
        } catch (URISyntaxException e) {
            throw new InvalidSpecException("Endpoint '" + config.endpoint() + "' has an invalid URI " + config.redactedUri()
                    + "; give Keystone's v3 URL, e.g. https://user@keystone.example:5000/v3", where);
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null || uri.getUserInfo() == null) {
            throw new InvalidSpecException("Endpoint '" + config.endpoint() + "' URI " + config.redactedUri()
                    + " is not Keystone's v3 URL with a user; write it as https://user@keystone.example:5000/v3", where);
        }
        String authUrl = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
        String project = config.property(PROJECT, "");
        if (project.isBlank()) {
            throw new InvalidSpecException("Endpoint '" + config.endpoint() + "' has no 'project' property; set the OpenStack"
                    + " project the driver works in", where);
        }
        return new OpenstackSettings(config.endpoint(), authUrl, uri.getUserInfo(), project, config.property(DOMAIN, "Default"),
                config.property(FLAVOR, "m1.small"), Duration.ofMillis(number(config, POLL_INTERVAL_MS, 250, where)),
                Duration.ofSeconds(number(config, STATE_TIMEOUT_SECONDS, 300, where)));
    }

    private static long number(DriverConfig config, String key, long defaultValue, ObjectId where) {
        String value = config.property(key, Long.toString(defaultValue));
        try {
            long parsed = Long.parseLong(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidSpecException("Endpoint '" + config.endpoint() + "' property '" + key + "' is '" + value
                + "', not a positive whole number", where);
    }

    /** The settings for messages: no secret is held here, so all of it may be shown. */
    String describe() {
        return "user '" + user + "' of project '" + project + "' in domain '" + domain + "' at " + authUrl;
    }

}
