package dev.duplex.engine.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.testing.FakeInventory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetSelectionTest {
    private final FakeInventory inventory = new FakeInventory();

    FleetSelectionTest() {
        inventory.addEndpoint(new Endpoint("east", "fake", "fake:///east", Optional.empty(), Map.of()));
        inventory.addEndpoint(new Endpoint("west", "fake", "fake:///west", Optional.empty(), Map.of()));
        pair("kv-b", "east", "east");
        pair("kv-a", "east", "east");
        pair("db.1", "west", "west");
        pair("kv-c", "east", "west");
    }

    private void pair(String name, String endpoint0, String endpoint1) {
        inventory.addVm(new VmRecord(name + "-0", endpoint0, "id-" + name + "-0", "v1", List.of(), Map.of()));
        inventory.addVm(new VmRecord(name + "-1", endpoint1, "id-" + name + "-1", "v1", List.of(), Map.of()));
        inventory.addPair(new PairRecord(name, name + "-0", name + "-1", 0, StandbyKind.HOT, Map.of(), Map.of()));
    }

    @Test
    void aGlobSelectsByNameSorted() {
        assertEquals(List.of("kv-a", "kv-b", "kv-c"), new FleetSelection(Optional.of("kv-*"), Optional.empty()).select(inventory));
        assertEquals(List.of("db.1", "kv-a", "kv-b", "kv-c"), FleetSelection.all().select(inventory));
        assertEquals(List.of("kv-a", "kv-b", "kv-c"), new FleetSelection(Optional.of("kv-?"), Optional.empty()).select(inventory));
        assertEquals(List.of(), new FleetSelection(Optional.of("kv-?a"), Optional.empty()).select(inventory), "? is exactly one character");
    }

    @Test
    void aDotInThePatternIsADotNotAnyCharacter() {
        assertEquals(List.of("db.1"), new FleetSelection(Optional.of("db.?"), Optional.empty()).select(inventory));
        assertEquals(List.of(), new FleetSelection(Optional.of("db?1x"), Optional.empty()).select(inventory));
    }

    @Test
    void anEndpointSelectsPairsWhoseMembersAreBothOnIt() {
        assertEquals(List.of("kv-a", "kv-b"), new FleetSelection(Optional.of("kv-*"), Optional.of("east")).select(inventory));
        assertEquals(List.of("db.1"), new FleetSelection(Optional.empty(), Optional.of("west")).select(inventory));
    }

    @Test
    void anEmptyPatternIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FleetSelection(Optional.of(" "), Optional.empty()));
    }
}
