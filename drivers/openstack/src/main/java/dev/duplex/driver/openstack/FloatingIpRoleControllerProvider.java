package dev.duplex.driver.openstack;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Role-controller type {@code openstack-floating-ip}: the pair's service address is a Neutron
 * floating IP, and the active is the member whose port it is associated with. Settings (the
 * pair's role-controller map): {@code uri}, {@code project}, {@code domain},
 * {@code credential-file} as for an OpenStack endpoint; {@code floating-ip} (the address);
 * optionally {@code network} (which of a server's ports, by network id), {@code port.<member>}
 * (a member's port id, instead of looking it up by server), {@code replication} and
 * {@code timeout-ms}. The driver's README describes each.
 */
public final class FloatingIpRoleControllerProvider implements RoleControllerProvider {
    static final String TYPE = "openstack-floating-ip";
    private static final Set<String> KNOWN = Set.of("type", "uri", "project", "domain", "credential-file", "floating-ip", "network",
            "replication", "timeout-ms");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public RoleController create(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (!KNOWN.contains(key) && !key.startsWith("port.")) {
                throw new IllegalArgumentException("Role controller " + TYPE + " has an unknown setting '" + key + "'; known: "
                        + String.join(", ", new TreeSet<>(KNOWN)) + ", port.<member>");
            }
        }
        String address = required(settings, "floating-ip", "the floating IP address that serves the pair");
        String uri = required(settings, "uri", "Keystone's v3 URL with the user, e.g. https://duplex@keystone.example:5000/v3");
        String file = required(settings, "credential-file", "the file holding the user's password or application credential");
        Map<String, String> endpoint = new HashMap<>();
        endpoint.put(OpenstackSettings.PROJECT, required(settings, "project", "the project that owns the floating IP"));
        endpoint.put(OpenstackSettings.DOMAIN, settings.getOrDefault("domain", "Default"));
        DriverConfig config = new DriverConfig(TYPE + " " + address, uri, endpoint, Optional.of(Path.of(file)), Path.of("."));
        OpenstackSettings cloud;
        try {
            cloud = OpenstackSettings.of(config);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Replication replication = switch (settings.getOrDefault("replication", "unknown")) {
            case "self" -> Replication.SELF;
            case "unknown" -> Replication.UNKNOWN;
            default -> throw new IllegalArgumentException("Role controller " + TYPE + " setting 'replication' is '"
                    + settings.get("replication") + "'; write 'self' when the application catches up on its own, or leave it out");
        };
        long timeoutMs;
        try {
            timeoutMs = Long.parseLong(settings.getOrDefault("timeout-ms", "30000"));
        } catch (NumberFormatException e) {
            timeoutMs = -1;
        }
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("Role controller " + TYPE + " setting 'timeout-ms' is '" + settings.get("timeout-ms")
                    + "', not a positive number of milliseconds");
        }
        Map<String, String> ports = new HashMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith("port.")) {
                ports.put(key.substring("port.".length()), value);
            }
        });
        return new FloatingIpRoleController(address, Optional.ofNullable(settings.get("network")), ports, replication,
                Duration.ofMillis(timeoutMs), () -> OpenstackDriverProvider.session(cloud, config));
    }

    private static String required(Map<String, String> settings, String key, String what) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Role controller " + TYPE + " has no '" + key + "' setting; give " + what);
        }
        return value;
    }

    /** What the controller may say about the standby's database, which it cannot see. */
    enum Replication {
        /** The operator declared that the application catches up on its own. */
        SELF,
        /** Nothing declared: the controller says it does not know. */
        UNKNOWN
    }
}
