package dev.duplex.engine.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.VmState;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.envsync.SyncPath;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.service.EngineFailoverService;
import dev.duplex.engine.service.FailoverService;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The failover as the frontends call it: through {@link FailoverService}, audited with the actor, or planned without touching anything. */
class FailoverServiceTest {
    private final FailoverFixture fixture = new FailoverFixture();
    private final FailoverService failovers = new EngineFailoverService(fixture.failover());

    @Test
    void aFailoverIsAuditedWithTheActorAndTheSameKeysAsBefore() throws Exception {
        fixture.push().push("kv", fixture.activeInfo(2, 5));

        failovers.failover("kv", false, false, new Actor("ops(uid 0)@mgmt-1"));

        AuditEntry entry = fixture.audit.recent(1).get(0);
        assertEquals("pair.failover", entry.action());
        assertEquals("pair/kv", entry.object());
        assertEquals(new Actor("ops(uid 0)@mgmt-1"), entry.actor());
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree("{\"active\":\"kv-0\"}"), entry.before().orElseThrow());
        assertEquals(json.readTree("{\"active\":\"kv-1\",\"sync\":\"DIFF\",\"fence_confirmed\":true}"), entry.after().orElseThrow());
    }

    @Test
    void thePlanNamesTheMemberFencedAndTheDiffWithItsPredictedCostAndTouchesNothing() {
        fixture.push().push("kv", fixture.activeInfo(2, 5));
        EnvironmentSnapshot standbyBefore = fixture.driver.environmentOf("id-1");
        int auditBefore = fixture.audit.recent(100).size();

        FailoverPlan plan = failovers.plan("kv", false);

        assertEquals("kv-0", plan.fenced());
        assertEquals("kv-1", plan.started());
        assertEquals(Optional.of(1L), plan.fromRevision());
        assertEquals(Optional.of(2L), plan.toRevision());
        assertEquals(SyncPath.DIFF, plan.sync().path(), plan.sync().reason());
        assertTrue(plan.sync().reason().contains("half-size rule"), plan.sync().reason());
        assertEquals(List.of(), fixture.jobs.jobs("kv"), "no job was created");
        assertEquals(VmState.RUNNING, fixture.driver.state(new dev.duplex.api.VmRef("id-0", "kv-0")), "the active was not fenced");
        assertEquals(List.of(), fixture.driver.events(), "nothing was started or stopped");
        assertTrue(FailoverFixture.sameItems(standbyBefore, fixture.driver.environmentOf("id-1")), "the standby's info is untouched");
        assertEquals(auditBefore, fixture.audit.recent(100).size(), "a plan is not audited: nothing changed");
    }

    @Test
    void aCalibratedStandbysPlanGivesBothPredictedTimes() {
        // a store where a patch costs a second per entry: even a tiny diff loses to a full write
        fixture.archive.saveCalibration("kv-1", new CostModel(0, 1e9, 0, 1000, 1, 0).toMap());
        fixture.push().push("kv", fixture.activeInfo(2, 1));

        FailoverPlan plan = failovers.plan("kv", false);

        assertEquals(SyncPath.FULL, plan.sync().path(), plan.sync().reason());
        assertTrue(plan.sync().predictedDiff().orElseThrow().compareTo(plan.sync().predictedFull().orElseThrow()) > 0, plan.toString());
        assertEquals(1, fixture.archive.calibrationCount("kv-1"), "a plan learns nothing and saves no model");
    }

    @Test
    void thePlanPredictsWhatTheFailoverThenDoes() {
        fixture.push().push("kv", fixture.activeInfo(2, 60_000));

        FailoverPlan plan = failovers.plan("kv", false);
        FailoverReport report = failovers.failover("kv", false, false, new Actor("ops"));

        assertEquals(SyncPath.FULL, plan.sync().path(), plan.sync().reason());
        assertEquals(report.sync().performed(), plan.sync().path());
        assertEquals("kv-1", report.newActive());
    }

    @Test
    void thePlanSaysFullWhenAskedAndNothingWhenNothingIsRecorded() {
        assertEquals(SyncPath.NONE, failovers.plan("kv", false).sync().path());
        assertTrue(failovers.plan("kv", false).sync().reason().contains("no environment info of kv-0 is recorded"));

        fixture.push().push("kv", fixture.activeInfo(2, 5));
        assertEquals(SyncPath.FULL, failovers.plan("kv", true).sync().path());
    }

    @Test
    void thePlanRefusesWhatTheFailoverWouldRefuseBeforeTheFence() {
        fixture.driver.addVm("id-1", VmState.RUNNING, fixture.standbyInfo);
        var running = assertThrows(IllegalStateException.class, () -> failovers.plan("kv", false));
        assertTrue(running.getMessage().contains("The standby kv-1 of pair kv is RUNNING"), running.getMessage());

        fixture.inventory.addPair(new PairRecord("hot", "kv-0", "kv-1", 0, StandbyKind.HOT, Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> failovers.plan("hot", false));
        assertThrows(NotInInventoryException.class, () -> failovers.plan("nope", false));
    }

    @Test
    void hostilePairNamesAreRefusedBeforeAnythingIsTouched() {
        List<String> hostile = List.of("", " ", "../kv", "kv/../../etc", "kv\n", "kv\u0000", "kv;rm -rf /", "$(reboot)", "k".repeat(10_000),
                "kv\u001b[31m", "ｋｖ");
        for (String name : hostile) {
            assertThrows(IllegalArgumentException.class, () -> failovers.failover(name, true, false, new Actor("ops")), name);
            assertThrows(IllegalArgumentException.class, () -> failovers.plan(name, false), name);
        }
        assertEquals(List.of(), fixture.jobs.jobs("kv"));
        assertEquals(List.of(), fixture.driver.events());
        assertFalse(fixture.audit.recent(1).size() > 0, "nothing was audited");
    }
}
