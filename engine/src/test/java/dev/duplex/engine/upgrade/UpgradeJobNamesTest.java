package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.ObjectName;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The names a job gives what it creates follow the naming rule even for the longest member names. */
class UpgradeJobNamesTest {
    @Test
    void shortNamesGetTheJobSuffix() {
        UpgradeJob job = job(12, Optional.empty());
        assertEquals("kv-0-j12", job.newVmName("kv-0"));
        assertEquals("db-0-j12", job.copyVolumeName("db-0"));
        assertEquals("kv-0-j7", job(12, Optional.of(7L)).newVmName("kv-0"), "a rollback names what its upgrade made");
    }

    @Test
    void aNameOfTheLongestLengthIsCutShortSoTheDerivedNameStillFollowsTheRule() {
        String longest = "a".repeat(ObjectName.MAX_LENGTH);
        UpgradeJob job = job(Long.MAX_VALUE, Optional.empty());
        String vm = job.newVmName(longest);
        String volume = job.copyVolumeName(longest);
        assertTrue(ObjectName.isValid(vm), vm);
        assertTrue(ObjectName.isValid(volume), volume);
        assertTrue(vm.endsWith("-j" + Long.MAX_VALUE), vm);
        assertEquals(ObjectName.MAX_LENGTH, vm.length());
    }

    private static UpgradeJob job(long id, Optional<Long> rollbackOf) {
        return new UpgradeJob(id, UpgradeJob.KIND_PAIR, "kv", UpgradeStrategy.LINK, 0, List.of(), List.of(), rollbackOf);
    }
}
