package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.VmRef;
import dev.duplex.api.VolumeLink;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.job.LiveJobExistsException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Refusals before anything is touched, and the dry run. */
class PreflightTest {
    private static void assertNothingTouched(PairFixture f) {
        assertTrue(f.driver.changes().isEmpty(), "driver changes: " + f.driver.changes());
        assertTrue(f.inventory.changes().isEmpty(), "inventory changes: " + f.inventory.changes());
        assertTrue(f.jobs.jobs("kv").isEmpty(), "no job was created");
        assertEquals(0, f.app.switchovers());
    }

    private static String refusal(PairFixture f, UpgradeRequest request) {
        return assertThrows(UpgradeRefusedException.class, () -> f.engine().run(request, UpgradeListener.NONE)).getMessage();
    }

    @Test
    void anUnknownPairIsRefused() {
        PairFixture f = new PairFixture();
        String message = refusal(f, UpgradeRequest.of("nope", "v2", UpgradeStrategy.LINK, "t"));
        assertTrue(message.contains("Unknown pair 'nope'") && message.contains("[kv]"), message);
        assertNothingTouched(f);
    }

    @Test
    void anImageOfAnotherEndpointIsRefused() {
        PairFixture f = new PairFixture();
        String message = refusal(f, UpgradeRequest.of("kv", "v2-elsewhere", UpgradeStrategy.LINK, "t"));
        assertTrue(message.contains("registered on endpoint 'other'") && message.contains("runs on endpoint 'lab'"), message);
        assertNothingTouched(f);
    }

    @Test
    void anUnknownImageIsRefused() {
        PairFixture f = new PairFixture();
        String message = refusal(f, UpgradeRequest.of("kv", "v9", UpgradeStrategy.LINK, "t"));
        assertTrue(message.contains("Unknown image 'v9'"), message);
        assertNothingTouched(f);
    }

    @Test
    void aVolumeLinkedElsewhereInTheInventoryIsRefused() {
        PairFixture f = new PairFixture();
        f.inventory.forceVm(new VmRecord("stray", "lab", "vm-stray", "v1", List.of(new LinkRecord("db-1", "x", VolumeLink.Mode.MOUNT_AT_BOOT)),
                Map.of()));
        String message = refusal(f, f.request(UpgradeStrategy.LINK));
        assertTrue(message.contains("Volume 'db-1'") && message.contains("linked elsewhere") && message.contains("stray"), message);
        assertNothingTouched(f);
    }

    @Test
    void aVolumeLinkedByAnotherVmOnThePlatformIsRefused() {
        PairFixture f = new PairFixture();
        // a leftover VM linking db-1 that the inventory does not know (the fake refuses two links, so drop kv-1's first)
        VmRef kv1 = f.vm1;
        f.driver.stop(kv1, dev.duplex.api.StopMode.FORCE);
        f.driver.deleteVm(kv1);
        VmRef leftover = f.driver.addRunningVm("leftover", f.driver.listImages().get(0).image(),
                List.of(new VolumeLink(f.volume1, "data", VolumeLink.Mode.MOUNT_AT_BOOT)));
        VmRef again = f.driver.addRunningVm("kv-1", f.driver.listImages().get(0).image(), List.of());
        f.inventory.forceVm(new VmRecord("kv-1", "lab", again.id(), "v1", f.record("kv-1").links(), Map.of()));
        String message = refusal(f, f.request(UpgradeStrategy.LINK));
        assertTrue(message.contains("linked elsewhere on endpoint 'lab'") && message.contains(leftover.name()), message);
    }

    @Test
    void aRoleControllerThatAnswersGarbageIsRefusedBeforeAnythingIsStopped() {
        PairFixture f = new PairFixture();
        f.app.answerGarbage();
        String message = refusal(f, f.request(UpgradeStrategy.LINK));
        assertTrue(message.contains("Role controller fake") && message.contains("hello") && message.contains("Nothing was touched"), message);
        assertNothingTouched(f);
    }

    @Test
    void rolesThatContradictTheInventoryAreRefused() {
        PairFixture f = new PairFixture();
        f.inventory.setActiveSystem("kv", 1);
        String message = assertThrows(UpgradeRefusedException.class, () -> f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE))
                .getMessage();
        assertTrue(message.contains("the inventory records kv-1 as ACT"), message);
    }

    @Test
    void aStrategyTheEndpointCannotDoIsRefusedWithWhatItLacks() {
        PairFixture f = new PairFixture(new FakeDriver(Capabilities.of(Capability.MOUNT_AT_BOOT), "kv-"));
        String message = refusal(f, f.request(UpgradeStrategy.SNAPSHOT_COPY));
        assertTrue(message.contains("cannot do the snapshot-copy strategy") && message.contains("[VOLUME_COPY]")
                && message.contains("supports MOUNT_AT_BOOT"), message);
        assertNothingTouched(f);
        String copyAtBoot = refusal(f, f.request(UpgradeStrategy.COPY_AT_BOOT));
        assertTrue(copyAtBoot.contains("lacks [COPY_AT_BOOT]"), copyAtBoot);
    }

    @Test
    void aSecondUpgradeOfAPairWithALiveJobIsRefusedNamingThatJob() {
        PairFixture f = new PairFixture();
        long live = f.jobs.create("upgrade", "kv", "someone", Map.of()).id();
        LiveJobExistsException e = assertThrows(LiveJobExistsException.class,
                () -> f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE));
        assertEquals(live, e.liveJobId());
        assertTrue(e.getMessage().contains("#" + live), e.getMessage());
        assertTrue(f.driver.changes().isEmpty());
    }

    @Test
    void aPlanListsTheStepsWhoServesAndPredictionsAndTouchesNothing() {
        PairFixture f = new PairFixture();
        UpgradePlan plan = f.engine().plan(f.request(UpgradeStrategy.LINK));

        assertEquals(List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29"),
                plan.steps().stream().map(p -> p.step().id()).toList());
        assertEquals("kv-0 alone", plan.steps().get(0).step().servedBy());
        assertEquals("nobody (switchover gap)", plan.steps().get(4).step().servedBy());
        assertEquals("kv-1 alone", plan.steps().get(5).step().servedBy());
        assertEquals("kv-1", plan.steps().get(0).step().member());
        assertEquals(Duration.ofMillis(300), plan.predictedServiceGap());
        assertEquals(Duration.ofSeconds(9), plan.predictedSingleSideWindow()); // assumed 2 + 1 + 5 + 1 s
        assertEquals(0, plan.bytesToCopy());
        assertTrue(plan.basis().contains("assumed"), plan.basis());
        assertTrue(plan.notes().stream().anyMatch(note -> note.startsWith("kv-0: endpoint") && note.contains("keeps no operating-environment info")),
                "a driver without an environment store is named before anything is touched: " + plan.notes());
        assertNothingTouched(f);
    }

    @Test
    void aSnapshotCopyPlanPredictsTheCopyFromTheVolumeSize() {
        PairFixture f = new PairFixture();
        UpgradePlan link = f.engine().plan(f.request(UpgradeStrategy.LINK));
        UpgradePlan copy = f.engine().withSettings(new UpgradeSettings("n", Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofMillis(1), 1024)).plan(f.request(UpgradeStrategy.SNAPSHOT_COPY));
        // 4096 bytes at 1 KiB/s: 4 s more per member
        assertEquals(link.predictedSingleSideWindow().plusSeconds(4), copy.predictedSingleSideWindow());
        assertEquals(2L * PairFixture.DB_SIZE, copy.bytesToCopy());
        assertTrue(copy.steps().get(1).basis().contains("copy of"), copy.steps().get(1).basis());
        assertNothingTouched(f);
    }

    @Test
    void aPlanLearnsStepTimesFromEarlierJobs() {
        PairFixture f = new PairFixture();
        f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        UpgradePlan plan = f.engine().plan(f.request(UpgradeStrategy.LINK));
        assertTrue(plan.basis().contains("1 earlier successful upgrade job"), plan.basis());
        assertTrue(plan.predictedSingleSideWindow().compareTo(Duration.ofSeconds(9)) < 0, plan.toString());
    }
}
