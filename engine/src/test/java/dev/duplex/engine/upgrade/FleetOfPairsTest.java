package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.VmState;
import dev.duplex.engine.fleet.FleetListener;
import dev.duplex.engine.fleet.FleetPlan;
import dev.duplex.engine.fleet.FleetReport;
import dev.duplex.engine.fleet.FleetUpgrade;
import dev.duplex.engine.job.JobState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A fleet of pairs, each upgraded by the real pair upgrade on its own in-memory platform. */
class FleetOfPairsTest {
    @Test
    void aFleetUpgradesEveryPairByLinkWithOneMemberOfEachServingThroughout() {
        Map<String, PairFixture> fleet = new LinkedHashMap<>();
        for (int i = 0; i < 7; i++) {
            fleet.put("kv" + i, new PairFixture());
        }
        FleetReport report = new FleetUpgrade(pair -> fleet.get(pair).engine().run(fleet.get(pair).request(UpgradeStrategy.LINK), UpgradeListener.NONE),
                0, System::nanoTime).run(FleetPlan.of(List.copyOf(fleet.keySet()), 1, 3, Optional.empty()), FleetListener.NONE);

        assertTrue(report.complete(), report.toString());
        assertEquals(7, report.outcomes().size());
        fleet.forEach((name, f) -> {
            assertFalse(f.driver.allDownSeen(), name + ": one member served throughout");
            assertEquals(JobState.SUCCEEDED, f.jobs.jobs("kv").get(0).state(), name);
            for (String member : List.of("kv-0", "kv-1")) {
                assertEquals("v2", f.record(member).image(), name + "/" + member);
                assertEquals(VmState.RUNNING, f.vmOf(member).state(), name + "/" + member);
            }
        });
    }

    @Test
    void aBrokenImageFailsTheCanaryAndTheRestOfTheFleetIsLeftOnItsOldImage() {
        Map<String, PairFixture> fleet = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            PairFixture f = new PairFixture();
            f.app.breakImage("v2");
            fleet.put("kv" + i, f);
        }
        FleetReport report = new FleetUpgrade(pair -> fleet.get(pair).engine().run(fleet.get(pair).request(UpgradeStrategy.LINK), UpgradeListener.NONE),
                0, System::nanoTime).run(FleetPlan.of(List.copyOf(fleet.keySet()), 1, 3, Optional.empty()), FleetListener.NONE);

        assertEquals(List.of("kv1", "kv2", "kv3"), report.notStarted());
        assertEquals(1, report.failed());
        PairFixture canary = fleet.get("kv0");
        assertEquals("v1", canary.record("kv-1").image(), "the canary's upgraded member was brought back");
        assertEquals("v1", canary.record("kv-0").image());
        assertTrue(fleet.get("kv3").jobs.jobs("kv").isEmpty(), "pairs after the canary were not touched");
    }
}
