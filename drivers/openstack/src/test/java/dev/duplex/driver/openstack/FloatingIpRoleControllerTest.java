package dev.duplex.driver.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.model.network.AttachInterfaceType;
import org.openstack4j.model.network.IPVersionType;
import org.openstack4j.model.network.NetFloatingIP;
import org.openstack4j.model.network.NetworkType;
import org.openstack4j.openstack.OSFactory;

/**
 * The floating-IP role controller against the peer's real Neutron API (ML2 and the L3 router
 * plugin, no agents). An external network with a router, a project network with one port per
 * member's server, and a floating IP of the project are made here, as a cloud's operator and
 * tenant would. Neutron checks and records each association (the port's owner, a router between
 * the port's subnet and the external network, the fixed address it maps to); with no L3 agent
 * the floating IP's status stays DOWN: no packet is forwarded, so this proves the API's
 * bookkeeping and the controller's use of it, not a data path.
 */
@ExtendWith(OpenstackPeer.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FloatingIpRoleControllerTest implements OpenstackPeer.User {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<Runnable> cleanUp = new ArrayList<>();
    private OpenstackPeer peer;
    private HypervisorDriver driver;
    private Token adminToken;
    private Token userToken;
    private final List<VmRef> servers = new ArrayList<>();
    private final List<String> ports = new ArrayList<>();
    private NetFloatingIP floatingIp;
    private PairContext pair;

    @Override
    public void usePeer(OpenstackPeer peer) {
        this.peer = peer;
    }

    /** Bounded waits: a call the peer answered late must not hold the test for good. */
    private static final Config CONFIG = Config.newConfig().withConnectionTimeout(10_000).withReadTimeout(60_000);

    private OSClientV3 admin() {
        return OSFactory.clientFromToken(adminToken, CONFIG);
    }

    private OSClientV3 user() {
        return OSFactory.clientFromToken(userToken, CONFIG);
    }

    private Token signIn(String user, String password, String project) {
        Identifier domain = Identifier.byName("Default");
        return OSFactory.builderV3().endpoint(peer.env("OS_AUTH_URL")).withConfig(CONFIG).credentials(user, password, domain)
                .scopeToProject(Identifier.byName(project), domain).authenticate().getToken();
    }

    @BeforeAll
    void makeTheNetworkAndThePair() {
        driver = new OpenstackDriverProvider().connect(peer.driverConfig("fip", Map.of()));
        // The servers first: Nova gives a server booted without networks a port on every project
        // network, which Neutron without mechanism drivers cannot bind; these get theirs by hand.
        ImageRef image = driver.registerImage(new ImageSpec("fip-" + run, "1.0", peer.imageFile("1.0").toString(), Map.of()));
        cleanUp.add(() -> driver.deleteImage(image));
        for (int i = 0; i < 2; i++) {
            VmRef vm = driver.createVm(new VmSpec("fip" + i + "-" + run, image, List.of(), Map.of()));
            servers.add(vm);
            cleanUp.add(0, () -> {
                driver.stop(vm, StopMode.FORCE);
                driver.deleteVm(vm);
            });
            driver.start(vm);
        }
        adminToken = signIn("admin", peer.env("OS_ADMIN_PASSWORD"), "admin");
        userToken = signIn(peer.env("OS_USERNAME"), peer.env("OS_PASSWORD"), peer.env("OS_PROJECT_NAME"));
        String project = userToken.getProject().getId();

        String external = admin().networking().network().create(Builders.network().name("ext-" + run).isRouterExternal(true)
                .networkType(NetworkType.FLAT).physicalNetwork("ext-" + run).build()).getId();
        cleanUp.add(() -> admin().networking().network().delete(external));
        // Neutron picks a floating IP at random from the pool: the pool stops short of the address
        // anAddressTheProjectDoesNotHave... names, so that one is never the project's by chance.
        admin().networking().subnet().create(Builders.subnet().name("ext-" + run).networkId(external).ipVersion(IPVersionType.V4)
                .cidr("203.0.113.0/24").addPool("203.0.113.10", "203.0.113.200").build());
        String network = admin().networking().network().create(Builders.network().name("net-" + run).tenantId(project)
                .networkType(NetworkType.FLAT).physicalNetwork("net-" + run).build()).getId();
        cleanUp.add(0, () -> admin().networking().network().delete(network));
        String subnet = admin().networking().subnet().create(Builders.subnet().name("net-" + run).networkId(network).tenantId(project)
                .ipVersion(IPVersionType.V4).cidr("198.51.100.0/24").build()).getId();
        String router = admin().networking().router().create(Builders.router().name("r-" + run).externalGateway(external).build()).getId();
        cleanUp.add(0, () -> admin().networking().router().delete(router));
        admin().networking().router().attachInterface(router, AttachInterfaceType.SUBNET, subnet);
        cleanUp.add(0, () -> admin().networking().router().detachInterface(router, subnet, null));
        for (VmRef server : servers) {
            String port = admin().networking().port().create(Builders.port().name(server.name()).networkId(network).tenantId(project)
                    .deviceId(server.id()).build()).getId();
            ports.add(port);
            cleanUp.add(0, () -> admin().networking().port().delete(port));
        }
        floatingIp = user().networking().floatingip().create(Builders.netFloatingIP().floatingNetworkId(external).build());
        cleanUp.add(0, () -> user().networking().floatingip().delete(floatingIp.getId()));
        user().networking().floatingip().associateToPort(floatingIp.getId(), ports.get(0));

        List<PairContext.Member> members = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            members.add(new PairContext.Member("m" + i, i, "fip", servers.get(i).id(), Map.of()));
        }
        pair = new PairContext("pair-" + run, members, Map.of());
    }

    @AfterAll
    void removeWhatWasMade() {
        List<RuntimeException> failures = new ArrayList<>();
        for (Runnable step : cleanUp) {
            try {
                step.run();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (driver != null) {
            driver.close();
        }
        failures.forEach(e -> System.out.println("clean-up of the floating-IP test: " + e));
    }

    private Map<String, String> settings(Map<String, String> extra) {
        DriverConfig config = peer.driverConfig("fip", Map.of());
        Map<String, String> settings = new HashMap<>(Map.of("type", "openstack-floating-ip", "uri", config.uri(),
                "project", peer.env("OS_PROJECT_NAME"), "credential-file", config.credentialFile().orElseThrow().toString(),
                "floating-ip", floatingIp.getFloatingIpAddress(), "replication", "self", "timeout-ms", "20000"));
        settings.putAll(extra);
        return settings;
    }

    private RoleController controller() {
        return new FloatingIpRoleControllerProvider().create(settings(Map.of()));
    }

    private String portOfTheAddress() {
        return user().networking().floatingip().get(floatingIp.getId()).getPortId();
    }

    @Test
    void theMemberWhosePortHoldsTheAddressIsActive() {
        user().networking().floatingip().associateToPort(floatingIp.getId(), ports.get(0));
        assertEquals(Map.of("m0", Role.ACT, "m1", Role.SBY), controller().roles(pair));
        assertEquals(Role.SBY, controller().role(pair, "m1"));
    }

    @Test
    void demoteTakesTheAddressOffAndPromoteGivesItToTheOtherMember() {
        user().networking().floatingip().associateToPort(floatingIp.getId(), ports.get(0));
        RoleController controller = controller();
        assertTrue(controller.canDemote() && controller.canPromote());

        assertEquals(Optional.of(Role.SBY), controller.demote(pair, "m0"));
        assertNull(portOfTheAddress(), "no member holds the address after the demote");
        assertEquals(Map.of("m0", Role.SBY, "m1", Role.SBY), controller.roles(pair));

        controller.promote(pair, "m1");
        NetFloatingIP moved = user().networking().floatingip().get(floatingIp.getId());
        assertEquals(ports.get(1), moved.getPortId());
        String fixed = admin().networking().port().get(ports.get(1)).getFixedIps().iterator().next().getIpAddress();
        assertEquals(fixed, moved.getFixedIpAddress(), "Neutron maps the address to member 1's fixed address");
        assertEquals(Map.of("m0", Role.SBY, "m1", Role.ACT), controller.roles(pair));
        System.out.println("floating IP " + moved.getFloatingIpAddress() + " status with no L3 agent: " + moved.getStatus());
    }

    @Test
    void aSwitchoverMovesTheAddressFromPortToPortInOneRequestAndAgainIsHarmless() {
        user().networking().floatingip().associateToPort(floatingIp.getId(), ports.get(1));
        RoleController controller = controller();
        controller.switchover(pair, "m0");
        assertEquals(ports.get(0), portOfTheAddress());
        controller.switchover(pair, "m0");
        assertEquals(Map.of("m0", Role.ACT, "m1", Role.SBY), controller.roles(pair));
        // A fence: demoting the standby leaves the active's address alone.
        controller.demote(pair, "m1");
        assertEquals(ports.get(0), portOfTheAddress());
    }

    @Test
    void explicitPortsNeedNoLookupByServer() {
        user().networking().floatingip().associateToPort(floatingIp.getId(), ports.get(1));
        PairContext unknownServers = new PairContext(pair.pair(), List.of(new PairContext.Member("m0", 0, "fip", "no-such-server", Map.of()),
                new PairContext.Member("m1", 1, "fip", "no-such-server-either", Map.of())), Map.of());
        RoleController controller = new FloatingIpRoleControllerProvider().create(settings(Map.of("port.m0", ports.get(0),
                "port.m1", ports.get(1))));
        assertEquals(Map.of("m0", Role.SBY, "m1", Role.ACT), controller.roles(unknownServers));
        controller.promote(unknownServers, "m0");
        assertEquals(ports.get(0), portOfTheAddress());
    }

    @Test
    void healthIsTheServersStateInNova() {
        RoleController controller = controller();
        assertTrue(controller.health(pair, "m0").healthy(), controller.health(pair, "m0").detail());
        driver.stop(servers.get(1), StopMode.GRACEFUL);
        try {
            assertFalse(controller.health(pair, "m1").healthy());
            assertTrue(controller.health(pair, "m1").detail().contains("SHUTOFF"), controller.health(pair, "m1").detail());
        } finally {
            driver.start(servers.get(1));
        }
    }

    @Test
    void replicationIsNotGuessed() {
        assertTrue(controller().resyncStatus(pair, "m1").isInSync(), "replication=self declares it");
        ResyncStatus unknown = new FloatingIpRoleControllerProvider().create(settings(Map.of("replication", "unknown")))
                .resyncStatus(pair, "m1");
        assertEquals(ResyncStatus.State.UNKNOWN, unknown.state());
        assertTrue(unknown.detail().contains("replication=self"), unknown.detail());
    }

    @Test
    void anAddressTheProjectDoesNotHaveIsOneLineNamingIt() {
        // Outside the external subnet's allocation pool: no floating IP can hold it.
        RoleController controller = new FloatingIpRoleControllerProvider().create(settings(Map.of("floating-ip", "203.0.113.254")));
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller.roles(pair));
        assertTrue(e.getMessage().contains("203.0.113.254") && e.getMessage().contains("openstack floating ip create"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aWrongPasswordIsOneLineWithTheRequestIdAndWithoutThePassword() throws Exception {
        java.nio.file.Path wrong = peer.state().resolve("wrong-password-" + run);
        java.nio.file.Files.writeString(wrong, "not-the-password-" + run + "\n");
        java.nio.file.Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        RoleController controller = new FloatingIpRoleControllerProvider().create(settings(Map.of("credential-file", wrong.toString())));
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller.roles(pair));
        assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("request req-"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void settingsAreCheckedWhenTheControllerIsMade() {
        FloatingIpRoleControllerProvider provider = new FloatingIpRoleControllerProvider();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> provider.create(settings(Map.of("flaoting-ip", "x"))));
        assertTrue(unknown.getMessage().contains("'flaoting-ip'"), unknown.getMessage());
        Map<String, String> without = settings(Map.of());
        without.remove("floating-ip");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> provider.create(without)).getMessage().contains("'floating-ip'"));
        assertThrows(IllegalArgumentException.class, () -> provider.create(settings(Map.of("replication", "maybe"))));
        assertThrows(IllegalArgumentException.class, () -> provider.create(settings(Map.of("timeout-ms", "-5"))));
        assertThrows(IllegalArgumentException.class, () -> provider.create(settings(Map.of("uri", "https://u:secret@keystone:5000/v3"))));
    }
}
