package dev.duplex.engine.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.testing.FakeInventory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Labels, label changes and selectors: what they accept, what they refuse, and how a fleet selects by them. */
class LabelSelectionTest {
    @Test
    void aSelectorTakesThePairsWithEveryLabelAndCombinesWithTheGlobAndEndpoint() {
        FakeInventory inventory = new FakeInventory();
        inventory.addEndpoint(new Endpoint("east", "fake", "fake:///east", Optional.empty(), Map.of()));
        for (String name : List.of("kv-a", "kv-b", "db-a")) {
            inventory.addVm(new VmRecord(name + "-0", "east", "id-" + name + "-0", "v1", List.of(), Map.of()));
            inventory.addVm(new VmRecord(name + "-1", "east", "id-" + name + "-1", "v1", List.of(), Map.of()));
            inventory.addPair(new PairRecord(name, name + "-0", name + "-1", 0, StandbyKind.HOT, Map.of(), Map.of()));
        }
        Map<String, Labels> labels = Map.of(
                "kv-a", new Labels(Map.of("tier", "db", "site", "fra")),
                "kv-b", new Labels(Map.of("tier", "db", "site", "ber")),
                "db-a", new Labels(Map.of("tier", "db", "site", "fra")));

        assertEquals(List.of("db-a", "kv-a"), new FleetSelection(Optional.empty(), Optional.empty(), LabelSelector.parse("tier=db,site=fra"))
                .select(inventory, labels));
        assertEquals(List.of("kv-a"), new FleetSelection(Optional.of("kv-*"), Optional.of("east"), LabelSelector.parse("site=fra"))
                .select(inventory, labels));
        assertEquals(List.of(), new FleetSelection(Optional.empty(), Optional.empty(), LabelSelector.parse("tier=web")).select(inventory, labels));
        assertEquals("pairs kv-*, labels site=fra, endpoint east",
                new FleetSelection(Optional.of("kv-*"), Optional.of("east"), LabelSelector.parse("site=fra")).describe());
    }

    @Test
    void aChangeSetsAndRemovesAndRefusesWhatIsNotAChange() {
        LabelEdit edit = LabelEdit.parse(List.of("tier=db", "site-"));
        assertEquals(Map.of("tier", "db"), edit.set());
        assertEquals(Set.of("site"), edit.remove());
        assertEquals(new Labels(Map.of("tier", "db", "rack", "r1")), edit.applyTo(new Labels(Map.of("site", "fra", "rack", "r1", "tier", "web"))));

        assertEquals("'tier' is not a label change: write KEY=VALUE to set a label or KEY- to remove it",
                assertThrows(IllegalArgumentException.class, () -> LabelEdit.parse(List.of("tier"))).getMessage());
        assertEquals("Label key 'Tier' is invalid: a key is 1 to 63 of a-z 0-9 . _ -, starting and ending with a letter or digit",
                assertThrows(IllegalArgumentException.class, () -> LabelEdit.parse(List.of("Tier=db"))).getMessage());
        assertEquals("Label tier='a\\u000ab' has an invalid value: a value is 1 to 63 of A-Z a-z 0-9 . _ -, starting and ending with a letter or digit",
                assertThrows(IllegalArgumentException.class, () -> LabelEdit.parse(List.of("tier=a\nb"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelEdit.parse(List.of("tier=db", "tier-"))).getMessage()
                .startsWith("Label 'tier' is both set and removed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelEdit.parseLabels(List.of("tier-"))).getMessage()
                .startsWith("A new pair has no label to remove"));
        for (String bad : List.of("-x=1", "x-=1", "x=-1", "x=1.", "x=" + "a".repeat(64), "k".repeat(64) + "=1", "x=a b", "x=a,b", "x=a=b", "x=\u00e9")) {
            assertThrows(IllegalArgumentException.class, () -> LabelEdit.parse(List.of(bad)), bad);
        }
        assertEquals(new Labels(Map.of("x", "a".repeat(63))), LabelEdit.parseLabels(List.of("x=" + "a".repeat(63))), "63 is the longest");
    }

    @Test
    void aSelectorRefusesEmptyPartsAndAKeyNamedTwice() {
        assertEquals(Map.of("tier", "db", "site", "fra"), LabelSelector.parse("tier=db,site=fra").required());
        for (String bad : List.of("", " ", "tier", "tier=db,", ",tier=db", "tier=db,tier=web", "tier==db", "=db")) {
            assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse(bad), "'" + bad + "'");
        }
    }
}
