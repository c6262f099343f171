package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.DriverException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.model.compute.Server;
import org.openstack4j.model.network.NetFloatingIP;
import org.openstack4j.model.network.Port;
import org.openstack4j.model.network.options.PortListOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a pair's service address, a Neutron floating IP, between the members' ports: the member
 * whose port holds it is the active. Promote associates it with the new active's port (Neutron
 * moves it from the old port in the same request), demote disassociates it from the old active,
 * so clients reach at most one member at any time. Whether the application itself follows its
 * address (and its database catches up) is outside what Neutron can tell: see {@code replication}.
 */
final class FloatingIpRoleController implements RoleController {
    private static final Logger log = LoggerFactory.getLogger(FloatingIpRoleController.class);

    private final String address;
    private final Optional<String> network;
    private final Map<String, String> ports;
    private final FloatingIpRoleControllerProvider.Replication replication;
    private final Duration timeout;
    private final Supplier<CloudSession> connect;
    private CloudSession session;

    FloatingIpRoleController(String address, Optional<String> network, Map<String, String> ports,
            FloatingIpRoleControllerProvider.Replication replication, Duration timeout, Supplier<CloudSession> connect) {
        this.address = requireNonNull(address, "address is null");
        this.network = requireNonNull(network, "network is null");
        this.ports = Map.copyOf(requireNonNull(ports, "ports is null"));
        this.replication = requireNonNull(replication, "replication is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.connect = requireNonNull(connect, "connect is null");
    }

    @Override
    public String describe() {
        return FloatingIpRoleControllerProvider.TYPE + " " + address;
    }

    /** Signs in at first use, not at creation: the engine builds controllers before it needs them. */
    private synchronized OSClientV3 os(String member) {
        try {
            if (session == null) {
                session = connect.get();
            }
            return session.client();
        } catch (DriverException e) {
            throw new RoleControllerException(describe(), member, e.getMessage(), e);
        }
    }

    /** Runs one Neutron or Nova call, failures translated once by the driver's rules, then named as this controller's. */
    private <T> T call(String member, String action, ObjectId object, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            DriverException translated = OpenstackFaults.translate(e, action, object);
            throw new RoleControllerException(describe(), member, translated.getMessage(), translated);
        }
    }

    private ObjectId floatingIpObject() {
        return new ObjectId(ObjectKind.ENDPOINT, "floating IP " + address);
    }

    private NetFloatingIP floatingIp(String member) {
        OSClientV3 os = os(member);
        List<? extends NetFloatingIP> found = call(member, "Looking up", floatingIpObject(),
                () -> os.networking().floatingip().list(Map.of("floating_ip_address", address)));
        if (found.size() != 1) {
            throw new RoleControllerException(describe(), member, "the project has " + (found.isEmpty() ? "no" : found.size())
                    + " floating IP " + address + "; allocate it to the project (openstack floating ip create --floating-ip-address "
                    + address + " NETWORK) or fix the 'floating-ip' setting");
        }
        return found.get(0);
    }

    /** The port of a member's server that the address goes to: the configured one, else the server's only port (on {@code network}). */
    private String portOf(PairContext pair, String member) {
        String configured = ports.get(member);
        if (configured != null) {
            return configured;
        }
        PairContext.Member m;
        try {
            m = pair.member(member);
        } catch (IllegalArgumentException e) {
            throw new RoleControllerException(describe(), member, e.getMessage(), e);
        }
        OSClientV3 os = os(member);
        PortListOptions options = PortListOptions.create().deviceId(m.driverRef());
        network.ifPresent(options::networkId);
        List<? extends Port> found = call(member, "Listing the ports of", new ObjectId(ObjectKind.VM, m.driverRef()),
                () -> os.networking().port().list(options));
        if (found.size() != 1) {
            throw new RoleControllerException(describe(), member, "the server " + m.driverRef() + " of member " + member + " has "
                    + found.size() + " ports" + network.map(n -> " on network " + n).orElse("") + ", not one; "
                    + (found.isEmpty() ? "give the member's port as setting 'port." + member + "'"
                            : "set 'network' to the network of the service address's port"));
        }
        return found.get(0).getId();
    }

    @Override
    public Map<String, Role> roles(PairContext pair) {
        String holder = floatingIp(null).getPortId();
        Map<String, Role> roles = new LinkedHashMap<>();
        for (PairContext.Member member : pair.members()) {
            roles.put(member.name(), Objects.equals(holder, portOf(pair, member.name())) ? Role.ACT : Role.SBY);
        }
        return roles;
    }

    @Override
    public Role role(PairContext pair, String member) {
        return Objects.equals(floatingIp(member).getPortId(), portOf(pair, member)) ? Role.ACT : Role.SBY;
    }

    @Override
    public void switchover(PairContext pair, String newActiveMember) {
        promote(pair, newActiveMember);
    }

    @Override
    public boolean canPromote() {
        return true;
    }

    /** Associates the address with the member's port; Neutron takes it from the peer's port in the same request. */
    @Override
    public void promote(PairContext pair, String member) {
        String port = portOf(pair, member);
        NetFloatingIP ip = floatingIp(member);
        if (!port.equals(ip.getPortId())) {
            OSClientV3 os = os(member);
            long started = System.nanoTime();
            call(member, "Associating port " + port + " with", floatingIpObject(),
                    () -> os.networking().floatingip().associateToPort(ip.getId(), port));
            awaitPort(member, port);
            log.info("Floating IP {} moved from port {} to port {} of member {} of pair {} in {} ms", address, ip.getPortId(), port,
                    member, pair.pair(), (System.nanoTime() - started) / 1_000_000);
        }
    }

    @Override
    public boolean canDemote() {
        return true;
    }

    /** Takes the address off the member's port (when it holds it): no client reaches it any more. */
    @Override
    public Optional<Role> demote(PairContext pair, String member) {
        String port = portOf(pair, member);
        NetFloatingIP ip = floatingIp(member);
        if (port.equals(ip.getPortId())) {
            OSClientV3 os = os(member);
            call(member, "Disassociating port " + port + " from", floatingIpObject(),
                    () -> os.networking().floatingip().disassociateFromPort(ip.getId()));
            awaitPort(member, null);
            log.info("Floating IP {} taken off port {} of member {} of pair {}", address, port, member, pair.pair());
        }
        return Optional.of(Role.SBY);
    }

    @Override
    public void takeOver(PairContext pair, String member) {
        promote(pair, member);
    }

    /** Neutron applies an association in its API call; read it back until it shows (or the deadline passes). */
    private void awaitPort(String member, String port) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen = floatingIp(member).getPortId();
        while (!Objects.equals(seen, port)) {
            if (System.nanoTime() > deadline) {
                throw new RoleControllerException(describe(), member, "the floating IP is on port " + seen + ", not " + port
                        + " after " + timeout.toMillis() + " ms; see 'openstack floating ip show " + address + "'");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RoleControllerException(describe(), member, "interrupted while moving the floating IP", e);
            }
            seen = floatingIp(member).getPortId();
        }
    }

    @Override
    public ResyncStatus resyncStatus(PairContext pair, String standbyMember) {
        return switch (replication) {
            case SELF -> new ResyncStatus(ResyncStatus.State.IN_SYNC, 0,
                    "not checked: the pair's settings say the application catches up on its own (replication=self)");
            case UNKNOWN -> ResyncStatus.unknown("the " + FloatingIpRoleControllerProvider.TYPE + " controller moves the address"
                    + " only and cannot see the application's replication; set replication=self if it catches up on its own");
        };
    }

    /** Healthy when Nova reports the member's server ACTIVE and it has its port. */
    @Override
    public HealthStatus health(PairContext pair, String member) {
        String serverId;
        try {
            serverId = pair.member(member).driverRef();
        } catch (IllegalArgumentException e) {
            throw new RoleControllerException(describe(), member, e.getMessage(), e);
        }
        OSClientV3 os = os(member);
        Server server = call(member, "Looking up", new ObjectId(ObjectKind.VM, serverId), () -> os.compute().servers().get(serverId));
        if (server == null) {
            return HealthStatus.unhealthy("server " + serverId + " of member " + member + " does not exist");
        }
        String port = portOf(pair, member);
        return server.getStatus() == Server.Status.ACTIVE
                ? HealthStatus.healthy("server " + serverId + " of member " + member + " is ACTIVE with port " + port)
                : HealthStatus.unhealthy("server " + serverId + " of member " + member + " is " + server.getStatus());
    }
}
