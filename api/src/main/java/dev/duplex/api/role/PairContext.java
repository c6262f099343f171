package dev.duplex.api.role;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * What a role controller is told about the pair it acts on.
 *
 * @param pair the pair's name
 * @param members the two members, system 0 first
 * @param settings the pair's role-controller settings ({@code type}, commands, URLs, ...)
 */
public record PairContext(String pair, List<Member> members, Map<String, String> settings) {
    public PairContext {
        requireNonNull(pair, "pair is null");
        members = List.copyOf(requireNonNull(members, "members is null"));
        settings = Map.copyOf(requireNonNull(settings, "settings is null"));
        if (members.isEmpty() || members.size() > 2) {
            throw new IllegalArgumentException("pair " + pair + " must have one or two members: " + members);
        }
    }

    /** The member of that name. */
    public Member member(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("pair " + pair + " has no member " + name
                        + "; its members are " + members.stream().map(Member::name).toList()));
    }

    /** The member that is not {@code name}. */
    public Member peer(String name) {
        return members.stream().filter(m -> !m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("pair " + pair + " has no peer of " + name));
    }

    /**
     * One member of the pair.
     *
     * @param name the member's name (its VM's inventory name); stays the same across upgrades
     * @param system 0 or 1
     * @param endpoint the endpoint its VM runs on
     * @param driverRef the driver's id of the VM that plays the member now
     * @param properties the VM's settings (ports, addresses), for controllers that need them
     */
    public record Member(String name, int system, String endpoint, String driverRef, Map<String, String> properties) {
        public Member {
            requireNonNull(name, "name is null");
            requireNonNull(endpoint, "endpoint is null");
            requireNonNull(driverRef, "driverRef is null");
            properties = Map.copyOf(requireNonNull(properties, "properties is null"));
            if (system != 0 && system != 1) {
                throw new IllegalArgumentException("system must be 0 or 1: " + system);
            }
        }
    }
}
