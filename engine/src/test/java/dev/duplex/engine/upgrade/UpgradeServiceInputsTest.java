package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.service.EngineUpgradeService;
import dev.duplex.engine.service.UpgradeService;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Names a frontend passes through unchecked are refused by the service before anything is read or created. */
class UpgradeServiceInputsTest {
    private static final List<String> HOSTILE = List.of("", " ", "..", "../kv", "kv/../../etc", "kv\n", "kv\r", "kv\u0000", "kv;rm -rf /",
            "$(reboot)", "k".repeat(10_000), "kv\u001b[31m", "ｋｖ", "kv-0 --force");

    @Test
    void hostileNamesAreRefusedAndNoJobIsCreated() {
        PairFixture f = new PairFixture();
        UpgradeService upgrades = new EngineUpgradeService(f.engine());
        for (String name : HOSTILE) {
            assertThrows(IllegalArgumentException.class, () -> upgrades.latest(name), name);
            assertThrows(IllegalArgumentException.class, () -> upgrades.nothingToDoVm(name, "v2"), name);
            assertThrows(IllegalArgumentException.class, () -> upgrades.planVm(name, "v2", UpgradeStrategy.LINK), name);
            assertThrows(IllegalArgumentException.class,
                    () -> upgrades.runVm(name, "v2", UpgradeStrategy.LINK, new Actor("ops"), UpgradeListener.NONE), name);
        }
        assertEquals(List.of(), f.jobs.jobs("kv"));
        assertEquals(List.of(), f.audit.recent(1));
    }

    @Test
    void aPairWithoutAnUpgradeJobIsOneLineNamingItAndWhatToDo() {
        PairFixture f = new PairFixture();
        var e = assertThrows(UpgradeRefusedException.class, () -> new EngineUpgradeService(f.engine()).latest("kv"));
        assertTrue(e.getMessage().startsWith("Pair or VM 'kv' has no upgrade job; `duplex jobs list`"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
