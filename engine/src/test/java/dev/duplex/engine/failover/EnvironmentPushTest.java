package dev.duplex.engine.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffInfo;
import org.junit.jupiter.api.Test;

class EnvironmentPushTest {
    private final FailoverFixture fixture = new FailoverFixture();

    @Test
    void equalRevisionRecordsTheInfoAndStoresNoDiff() {
        PushReport report = fixture.push().push("kv", fixture.activeInfo(1, 10));

        assertFalse(report.diffStored(), report.summary());
        assertTrue(fixture.archive.diffs().isEmpty());
        assertEquals(1, fixture.archive.latestRevision("kv-0").orElseThrow().snapshot().revision());
        assertTrue(report.summary().contains("same revision"), report.summary());
    }

    @Test
    void differentRevisionStoresTheStandbysDiffAheadOfFailure() {
        EnvironmentSnapshot active = fixture.activeInfo(2, 3);

        PushReport report = fixture.push().push("kv", active);

        assertTrue(report.diffStored());
        assertEquals("kv-0", report.active());
        assertEquals("kv-1", report.standby());
        assertEquals(1, report.standbyRevision());
        var stored = fixture.archive.diff("kv-1", 1, 2).orElseThrow();
        assertEquals(report.diffBytes().orElseThrow(), stored.size());
        DiffInfo diff = new DiffDecoder().decode(stored.encoded());
        assertEquals(report.diffEntries(), diff.entryCount());
        assertEquals(stored.entryCount(), diff.entryCount());
        assertTrue(FailoverFixture.sameItems(active, fixture.archive.latestRevision("kv-0").orElseThrow().snapshot()));
        // the standby itself is not touched by a push
        assertTrue(fixture.driver.events().isEmpty(), fixture.driver.events().toString());
    }

    @Test
    void aRevisionOlderThanTheStandbysIsRefused() {
        fixture.driver.addVm("id-1", dev.duplex.api.VmState.STOPPED,
                new EnvironmentSnapshot(5, fixture.standbyInfo.items()));

        var e = assertThrows(IllegalArgumentException.class, () -> fixture.push().push("kv", fixture.activeInfo(3, 1)));

        assertTrue(e.getMessage().contains("newer than the pushed revision 3"), e.getMessage());
        assertTrue(fixture.archive.latestRevision("kv-0").isEmpty());
    }

    @Test
    void aRevisionOlderThanTheRecordedOneIsRefused() {
        fixture.push().push("kv", fixture.activeInfo(4, 1));

        var e = assertThrows(IllegalArgumentException.class, () -> fixture.push().push("kv", fixture.activeInfo(3, 1)));

        assertTrue(e.getMessage().contains("older than revision 4"), e.getMessage());
    }

    @Test
    void theSameRevisionWithOtherContentIsRefusedAndTheRecordedContentKept() {
        EnvironmentSnapshot first = fixture.activeInfo(4, 1);
        fixture.push().push("kv", first);

        var e = assertThrows(IllegalArgumentException.class, () -> fixture.push().push("kv", fixture.activeInfo(4, 7)));

        assertTrue(e.getMessage().contains("Revision 4 of kv-0 is already recorded with other content"), e.getMessage());
        assertTrue(e.getMessage().contains("push the new content as revision 5"), e.getMessage());
        assertTrue(FailoverFixture.sameItems(first, fixture.archive.latestRevision("kv-0").orElseThrow().snapshot()));
    }

    @Test
    void theSameRevisionWithTheSameContentIsAcceptedAgain() {
        fixture.push().push("kv", fixture.activeInfo(4, 1));
        PushReport again = fixture.push().push("kv", fixture.activeInfo(4, 1));
        assertEquals(4, again.activeRevision());
    }
}
