package dev.duplex.persistence;

import static dev.duplex.persistence.Fixtures.endpoint;
import static dev.duplex.persistence.Fixtures.image;
import static dev.duplex.persistence.Fixtures.pair;
import static dev.duplex.persistence.Fixtures.vm;
import static dev.duplex.persistence.Fixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.VolumeLink;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairInventory;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbiInventoryTest {
    private Database database;
    private JdbiInventory inventory;

    @BeforeAll
    void start(TestServer server) {
        database = server.startFresh("inventory_test");
        inventory = new JdbiInventory(database.jdbi());
    }

    @AfterAll
    void stop() {
        database.close();
    }

    @BeforeEach
    void empty() {
        database.jdbi().useHandle(h -> h.execute(
                "TRUNCATE endpoints, images, volumes, vms, vm_links, pairs, pair_members, jobs, job_steps CASCADE"));
    }

    @Test
    void endpointsRoundTripAndList() {
        Endpoint withoutCredential = new Endpoint("b", "kvm", "qemu:///system", Optional.empty(), Map.of());
        inventory.addEndpoint(endpoint("a"));
        inventory.addEndpoint(withoutCredential);

        assertEquals(Optional.of(endpoint("a")), inventory.endpoint("a"));
        assertEquals(List.of(endpoint("a"), withoutCredential), inventory.endpoints());
        assertEquals(Optional.empty(), inventory.endpoint("nope"));

        inventory.removeEndpoint("b");
        assertEquals(List.of(endpoint("a")), inventory.endpoints());
        assertThrows(NotInInventoryException.class, () -> inventory.removeEndpoint("b"));
    }

    @Test
    void duplicateNamesAreRefusedNamingTheObject() {
        inventory.addEndpoint(endpoint("ep"));
        var e = assertThrows(InventoryConflictException.class, () -> inventory.addEndpoint(endpoint("ep")));
        assertEquals("An endpoint named 'ep' already exists", e.getMessage());

        inventory.addImage(image("img", "ep"));
        assertEquals("An image named 'img' already exists",
                assertThrows(InventoryConflictException.class, () -> inventory.addImage(image("img", "ep"))).getMessage());
        inventory.addVolume(volume("v", "ep"));
        assertEquals("A volume named 'v' already exists",
                assertThrows(InventoryConflictException.class, () -> inventory.addVolume(volume("v", "ep"))).getMessage());
        inventory.addVm(vm("vm", "ep", "img"));
        assertEquals("A VM named 'vm' already exists",
                assertThrows(InventoryConflictException.class, () -> inventory.addVm(vm("vm", "ep", "img"))).getMessage());
    }

    @Test
    void imagesAndVolumesRoundTrip() {
        inventory.addEndpoint(endpoint("ep"));
        inventory.addImage(image("i2", "ep"));
        inventory.addImage(image("i1", "ep"));
        inventory.addVolume(volume("v1", "ep"));

        assertEquals(Optional.of(image("i1", "ep")), inventory.image("i1"));
        assertEquals(List.of(image("i1", "ep"), image("i2", "ep")), inventory.images());
        assertEquals(Optional.of(volume("v1", "ep")), inventory.volume("v1"));
        assertEquals(List.of(volume("v1", "ep")), inventory.volumes());
        assertEquals(Optional.empty(), inventory.image("x"));
        assertEquals(Optional.empty(), inventory.volume("x"));
    }

    @Test
    void referencesToUnknownObjectsAreNotInInventory() {
        var e = assertThrows(NotInInventoryException.class, () -> inventory.addImage(image("i", "ghost")));
        assertEquals("No endpoint named 'ghost' in the inventory", e.getMessage());
        inventory.addEndpoint(endpoint("ep"));
        assertEquals("No image named 'ghost-image' in the inventory",
                assertThrows(NotInInventoryException.class, () -> inventory.addVm(vm("vm", "ep", "ghost-image"))).getMessage());
        inventory.addImage(image("img", "ep"));
        assertEquals("No volume named 'ghost-volume' in the inventory",
                assertThrows(NotInInventoryException.class, () -> inventory.addVm(vm("vm", "ep", "img", "ghost-volume"))).getMessage());
        assertEquals(Optional.empty(), inventory.vm("vm"), "the VM row was rolled back with its failed link");
        inventory.addVm(vm("vm0", "ep", "img"));
        assertEquals("No VM named 'ghost-vm' in the inventory",
                assertThrows(NotInInventoryException.class, () -> inventory.addPair(pair("p", "vm0", "ghost-vm"))).getMessage());
        assertEquals(Optional.empty(), inventory.pair("p"), "the pair row was rolled back with its failed member");
    }

    @Test
    void removingAnEndpointStillInUseNamesWhatUsesIt() {
        inventory.addEndpoint(endpoint("ep"));
        inventory.addImage(image("img", "ep"));
        var e = assertThrows(InventoryConflictException.class, () -> inventory.removeEndpoint("ep"));
        assertEquals("Endpoint 'ep' is still used by images 'img'; remove those first", e.getMessage());

        inventory.addEndpoint(endpoint("ep2"));
        inventory.addVolume(volume("v", "ep2"));
        assertEquals("Endpoint 'ep2' is still used by volumes 'v'; remove those first",
                assertThrows(InventoryConflictException.class, () -> inventory.removeEndpoint("ep2")).getMessage());

        inventory.addEndpoint(endpoint("ep3"));
        inventory.addVm(vm("vm-a", "ep3", "img"));
        inventory.addVm(vm("vm-b", "ep3", "img"));
        assertEquals("Endpoint 'ep3' is still used by VMs 'vm-a', 'vm-b'; remove those first",
                assertThrows(InventoryConflictException.class, () -> inventory.removeEndpoint("ep3")).getMessage());
        assertTrue(inventory.endpoint("ep3").isPresent());
    }

    @Test
    void anUpdateThatKeepsAVmsLinksLeavesTheirRowsAloneAndOneThatMovesThemRewritesThem() {
        List<LinkRecord> links = logsAndDataOnEndpoint("old", "new");
        inventory.addVm(new VmRecord("vm", "ep", "ref-1", "old", links, Map.of()));
        String rowsBefore = linkRowVersions("vm");

        VmRecord newImage = new VmRecord("vm", "ep", "ref-2", "new", links, Map.of("cpus", "4"));
        inventory.updateVm(newImage);
        assertEquals(Optional.of(newImage), inventory.vm("vm"));
        assertEquals(rowsBefore, linkRowVersions("vm"), "the same links were not deleted and written again");

        List<LinkRecord> swapped = List.of(links.get(1), new LinkRecord("logs", "/logs", VolumeLink.Mode.MOUNT_AT_BOOT));
        VmRecord moved = new VmRecord("vm", "ep", "ref-3", "new", swapped, Map.of());
        inventory.updateVm(moved);
        assertEquals(Optional.of(moved), inventory.vm("vm"), "order and mode changes are written");
    }

    @Test
    void severalVmsAreReadInOneLookWithTheirLinksInOrderAndUnknownNamesLeftOut() {
        VmRecord linked = new VmRecord("a", "ep", "ref-a", "img", logsAndDataOnEndpoint("img"), Map.of("cpus", "2"));
        VmRecord bare = vm("b", "ep", "img");
        inventory.addVm(linked);
        inventory.addVm(bare);

        assertEquals(Map.of("a", linked, "b", bare), inventory.vms(List.of("b", "ghost", "a")));
        assertEquals(Map.of(), inventory.vms(List.of()));
        assertEquals(Optional.of(linked), inventory.vm("a"));
    }

    @Test
    void imagesVolumesAndTheirLinkersAreReadInOneLookEachWithUnknownNamesLeftOut() {
        inventory.addVm(new VmRecord("a", "ep", "ref-a", "old", logsAndDataOnEndpoint("old", "new"), Map.of()));
        inventory.addVolume(volume("spare", "ep"));

        assertEquals(Map.of("old", image("old", "ep"), "new", image("new", "ep")), inventory.images(List.of("new", "ghost", "old")));
        assertEquals(Map.of("data", volume("data", "ep"), "spare", volume("spare", "ep")), inventory.volumes(List.of("data", "spare", "ghost")));
        assertEquals(Map.of("data", List.of("a"), "spare", List.of(), "ghost", List.of()), inventory.vmsLinking(List.of("data", "spare", "ghost")),
                "a volume no VM links (or no such volume) has no linkers");
        assertEquals(Map.of(), inventory.images(List.of()));
    }

    @Test
    void aPairIsReadWithWhatItsUpgradeChecksInOneLookAsTheSingleKindReadsSayIt() {
        inventory.addEndpoint(endpoint("ep-a"));
        inventory.addEndpoint(endpoint("ep-b"));
        inventory.addEndpoint(endpoint("ep-unused"));
        for (String image : List.of("old-a", "new-a", "unrelated")) {
            inventory.addImage(image(image, "ep-a"));
        }
        inventory.addImage(image("old-b", "ep-b"));
        for (String volume : List.of("logs", "data", "spare")) {
            inventory.addVolume(volume(volume, "ep-a"));
        }
        inventory.addVolume(volume("data-b", "ep-b"));
        VmRecord first = new VmRecord("m0", "ep-a", "ref-m0", "old-a",
                List.of(new LinkRecord("logs", "/logs", VolumeLink.Mode.COPY_AT_BOOT), new LinkRecord("data", "/db", VolumeLink.Mode.MOUNT_AT_BOOT)),
                Map.of("cpus", "2"));
        VmRecord second = vm("m1", "ep-b", "old-b", "data-b");
        inventory.addVm(first);
        inventory.addVm(second);
        inventory.addVm(vm("other", "ep-a", "unrelated", "spare"));
        inventory.addPair(pair("p", "m0", "m1"));

        var read = inventory.pairInventory("p", List.of("new-a", "ghost")).orElseThrow();

        assertEquals(pair("p", "m0", "m1"), read.pair());
        assertEquals(Map.of("m0", first, "m1", second), read.vms(), "the members with their links in order, no one else");
        assertEquals(Map.of("ep-a", endpoint("ep-a"), "ep-b", endpoint("ep-b")), read.endpoints());
        assertEquals(Map.of("old-a", image("old-a", "ep-a"), "old-b", image("old-b", "ep-b"), "new-a", image("new-a", "ep-a")), read.images(),
                "the members' images and the ones asked for that exist");
        assertEquals(Map.of("logs", volume("logs", "ep-a"), "data", volume("data", "ep-a"), "data-b", volume("data-b", "ep-b")), read.volumes());
        assertEquals(Map.of("logs", List.of("m0"), "data", List.of("m0"), "data-b", List.of("m1")), read.linkers());
        assertEquals(PairInventory.readEachKind(inventory, "p", List.of("new-a", "ghost")), Optional.of(read));
    }

    @Test
    void anUnknownPairOrOneWithoutLinksIsReadAsTheSingleKindReadsSayIt() {
        assertEquals(Optional.empty(), inventory.pairInventory("ghost", List.of("img")));

        inventory.addEndpoint(endpoint("ep"));
        inventory.addImage(image("img", "ep"));
        inventory.addVm(vm("a", "ep", "img"));
        inventory.addVm(vm("b", "ep", "img"));
        inventory.addPair(pair("bare", "a", "b"));

        var read = inventory.pairInventory("bare", List.of());
        assertEquals(Map.of(), read.orElseThrow().volumes());
        assertEquals(Map.of(), read.orElseThrow().linkers());
        assertEquals(Map.of("img", image("img", "ep")), read.orElseThrow().images());
        assertEquals(PairInventory.readEachKind(inventory, "bare", List.of()), read);
    }

    /** Endpoint "ep" with these images and volumes "logs" and "data"; the links to both, logs first. */
    private List<LinkRecord> logsAndDataOnEndpoint(String... images) {
        inventory.addEndpoint(endpoint("ep"));
        for (String image : images) {
            inventory.addImage(image(image, "ep"));
        }
        inventory.addVolume(volume("data", "ep"));
        inventory.addVolume(volume("logs", "ep"));
        return List.of(new LinkRecord("logs", "/logs", VolumeLink.Mode.COPY_AT_BOOT), new LinkRecord("data", "/db", VolumeLink.Mode.MOUNT_AT_BOOT));
    }

    /** The links' row versions (xmin), which change when a row is written again. */
    private String linkRowVersions(String vm) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT string_agg(xmin::text || ':' || volume, ',' ORDER BY position) FROM vm_links WHERE vm = :vm")
                .bind("vm", vm).mapTo(String.class).one());
    }

    @Test
    void vmWithLinksRoundTripsAndUpdatesInOneTransaction() {
        VmRecord vm = new VmRecord("vm", "ep", "ref-1", "old", logsAndDataOnEndpoint("old", "new"), Map.of("cpus", "2"));
        inventory.addVm(vm);
        assertEquals(Optional.of(vm), inventory.vm("vm"));
        assertEquals(List.of(vm), inventory.vms());

        VmRecord upgraded = new VmRecord("vm", "ep", "ref-2", "new",
                List.of(new LinkRecord("data", "/db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of("cpus", "4"));
        inventory.updateVm(upgraded);
        assertEquals(Optional.of(upgraded), inventory.vm("vm"));

        VmRecord broken = new VmRecord("vm", "ep", "ref-3", "new", List.of(new LinkRecord("nope", "/x", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of());
        assertThrows(NotInInventoryException.class, () -> inventory.updateVm(broken));
        assertEquals(Optional.of(upgraded), inventory.vm("vm"), "a failed update changes nothing");

        assertThrows(NotInInventoryException.class, () -> inventory.updateVm(vm("ghost", "ep", "new")));
        inventory.removeVm("vm");
        assertEquals(Optional.empty(), inventory.vm("vm"));
        assertThrows(NotInInventoryException.class, () -> inventory.removeVm("vm"));
        inventory.addVm(vm("vm2", "ep", "new", "data"));
        assertTrue(inventory.vm("vm2").isPresent(), "removing a VM released its volume links");
        assertEquals(List.of("vm2"), inventory.vmsLinking("data"), "answered from the links, as a scan of every VM would");
        assertEquals(List.of(), inventory.vmsLinking("logs"));
        assertEquals(List.of(), inventory.vmsLinking("ghost"));

        VmRecord bare = new VmRecord("bare", "ep", "ref-4", "new", List.of(), Map.of());
        inventory.addVm(bare);
        assertEquals(Optional.of(bare), inventory.vm("bare"), "a VM without links is read with none");
    }

    @Test
    void aVolumeIsLinkedByAtMostOneVm() {
        inventory.addEndpoint(endpoint("ep"));
        inventory.addImage(image("img", "ep"));
        inventory.addVolume(volume("shared", "ep"));
        inventory.addVm(vm("first", "ep", "img", "shared"));

        var e = assertThrows(InventoryConflictException.class, () -> inventory.addVm(vm("second", "ep", "img", "shared")));
        assertEquals("Volume 'shared' is already linked to VM 'first'; a volume is linked by at most one VM", e.getMessage());
        assertEquals(Optional.empty(), inventory.vm("second"));

        var twice = new VmRecord("twice", "ep", "r", "img", List.of(new LinkRecord("other", "/a", VolumeLink.Mode.MOUNT_AT_BOOT),
                new LinkRecord("other", "/b", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of());
        inventory.addVolume(volume("other", "ep"));
        assertThrows(InventoryConflictException.class, () -> inventory.addVm(twice));
        assertEquals("Volume 'shared' is still used by VMs 'first'; remove those first",
                assertThrows(InventoryConflictException.class,
                        () -> database.jdbi().useHandle(h -> {
                            try {
                                h.execute("DELETE FROM volumes WHERE name = 'shared'");
                            } catch (org.jdbi.v3.core.JdbiException x) {
                                throw new SqlErrors(database.jdbi()).translate(x);
                            }
                        })).getMessage());
    }

    @Test
    void pairsRoundTripAndAVmBelongsToOnePair() {
        PairRecord kv = Fixtures.addPair(inventory, "kv");
        assertEquals(Optional.of(kv), inventory.pair("kv"));
        assertEquals(List.of(kv), inventory.pairs());

        inventory.addVm(vm("spare", "ep-kv", "img-kv"));
        var e = assertThrows(InventoryConflictException.class, () -> inventory.addPair(pair("other", "kv-1", "spare")));
        assertEquals("VM 'kv-1' is already a member of pair 'kv'; a VM belongs to at most one pair", e.getMessage());
        assertEquals(Optional.empty(), inventory.pair("other"));
        assertEquals("A pair named 'kv' already exists",
                assertThrows(InventoryConflictException.class, () -> inventory.addPair(pair("kv", "spare", "kv-0"))).getMessage());

        assertEquals("VM 'kv-0' is still used by pairs 'kv'; remove those first",
                assertThrows(InventoryConflictException.class, () -> inventory.removeVm("kv-0")).getMessage());

        inventory.setActiveSystem("kv", 1);
        assertEquals(1, inventory.pair("kv").orElseThrow().activeSystem());
        assertEquals("kv-1", inventory.pair("kv").orElseThrow().active());
        assertThrows(NotInInventoryException.class, () -> inventory.setActiveSystem("nope", 0));
        assertThrows(IllegalArgumentException.class, () -> inventory.setActiveSystem("kv", 2));
    }

    @Test
    void checkConstraintsRefuseBadValues() {
        inventory.addEndpoint(endpoint("ep"));
        // A blank name no longer reaches the table's check: the record refuses it with the naming rule.
        var e = assertThrows(IllegalArgumentException.class, () -> inventory.addEndpoint(endpoint(" ")));
        assertTrue(e.getMessage().contains(dev.duplex.api.ObjectName.RULE), e.getMessage());
        var zero = new dev.duplex.engine.inventory.VolumeRecord("z", "ep", "r", 0, "database");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> inventory.addVolume(zero)).getMessage()
                .contains("volumes_size_positive"));
    }
}
