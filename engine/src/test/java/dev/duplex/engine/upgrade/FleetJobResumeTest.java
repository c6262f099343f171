package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.VmState;
import dev.duplex.engine.fleet.FleetJob;
import dev.duplex.engine.fleet.FleetJobReport;
import dev.duplex.engine.fleet.FleetListener;
import dev.duplex.engine.fleet.FleetPlan;
import dev.duplex.engine.fleet.FleetRefusedException;
import dev.duplex.engine.fleet.FleetRequest;
import dev.duplex.engine.fleet.FleetRollbackReport;
import dev.duplex.engine.fleet.FleetRun;
import dev.duplex.engine.fleet.FleetSelection;
import dev.duplex.engine.fleet.FleetStatus;
import dev.duplex.engine.fleet.PairOutcome;
import dev.duplex.engine.fleet.Wave;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.testing.SimulatedCrash;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fleet job whose orchestrator is killed (at a journal point the test picks: the kill is that
 * write not happening, and every thread of the process dies at its next call), then resumed by a
 * new orchestrator: every pair ends upgraded by exactly one upgrade job with one switchover, and
 * no pair ever had both members down.
 */
class FleetJobResumeTest {
    private static final int PAIRS = 7;

    static Stream<Arguments> killPoints() {
        return Stream.of(
                Arguments.of("before the fleet journals its first pair", (Predicate<DyingJobQueue.Write>) w -> w.call().equals("stepStarted")
                        && w.what().startsWith("kv"), 1),
                Arguments.of("creating the 4th pair's upgrade job", (Predicate<DyingJobQueue.Write>) w -> w.call().equals("create")
                        && w.what().startsWith("upgrade "), 4),
                Arguments.of("starting the 3rd pair job's first step (the job exists, the fleet's journal does not name it)",
                        (Predicate<DyingJobQueue.Write>) w -> w.call().equals("stepStarted") && w.what().equals("S21"), 3),
                Arguments.of("the 5th switchover (S25) of a pair, mid-upgrade", (Predicate<DyingJobQueue.Write>) w -> w.call().equals("stepStarted")
                        && w.what().equals("S25"), 5),
                Arguments.of("after the 2nd pair ended, before the fleet journals it", (Predicate<DyingJobQueue.Write>) w -> w.call().equals("stepDone")
                        && w.what().startsWith("kv") && !w.what().contains("/"), 2),
                Arguments.of("finishing the fleet job", (Predicate<DyingJobQueue.Write>) w -> w.call().equals("finish")
                        && w.what().equals("SUCCEEDED") && w.jobId() == 1, 1));
    }

    @ParameterizedTest(name = "killed {0}")
    @MethodSource("killPoints")
    void aFleetKilledAtAJournalPointAndResumedUpgradesEveryPairExactlyOnce(String where, Predicate<DyingJobQueue.Write> at, int occurrence) {
        FleetFixture fleet = new FleetFixture(PAIRS);
        DyingJobQueue dying = new DyingJobQueue(fleet.jobs, at, occurrence);
        FleetRequest request = request(fleet, 3);
        FleetPlan plan = FleetPlan.of(fleet.pairs(), request.canary(), request.maxInFlight(), Optional.empty());

        assertThrows(SimulatedCrash.class, () -> new FleetRun(dying, fleet.engine(dying), System::nanoTime).start(request, plan, FleetListener.NONE));
        assertTrue(dying.died(), where);
        long fleetJob = fleetJobId(fleet);
        assertTrue(fleet.jobs.job(fleetJob).orElseThrow().state().live(), "the killed fleet job is left live: " + where);

        FleetJobReport resumed = new FleetRun(fleet.jobs, fleet.engine(fleet.jobs), System::nanoTime).resume(fleetJob, true, FleetListener.NONE);

        assertEquals(JobState.SUCCEEDED, resumed.state(), where + ": " + resumed);
        assertEquals(PAIRS, resumed.run().outcomes().size(), "every pair is accounted for: " + where);
        for (String pair : fleet.pairs()) {
            List<Job> upgrades = fleet.jobs.jobs(pair).stream().filter(j -> j.kind().equals("upgrade")).toList();
            assertEquals(1, upgrades.size(), pair + " was upgraded by one job (" + where + "): " + upgrades);
            assertEquals(JobState.SUCCEEDED, upgrades.get(0).state(), pair);
            // A pair killed between its switchover and S25's journal entry switches again on resume (harmless by
            // the SPI, so that a composed action runs too): the ACT role still moves exactly once.
            assertEquals(1, fleet.apps.get(pair).roleMoves(), pair + " switched over once: upgraded exactly once (" + where + ")");
            assertTrue(fleet.apps.get(pair).switchovers() <= 2, pair + " switched at most once more on resume (" + where + ")");
            for (String member : List.of(pair + "-0", pair + "-1")) {
                assertEquals("v2", fleet.imageOf(member), member);
                assertEquals(VmState.RUNNING, fleet.stateOf(member), member);
            }
        }
        assertEquals(List.of(), fleet.bothDown, "no pair ever had both members down");
        FleetStatus status = new FleetRun(fleet.jobs, fleet.engine(fleet.jobs), System::nanoTime).status(fleetJob);
        assertEquals(JobState.SUCCEEDED, status.state());
        assertTrue(status.pairs().stream().allMatch(l -> l.state().equals(Optional.of(JobState.SUCCEEDED))), status.toString());
    }

    @Test
    void aFleetRunsInWavesOfAtMostMaxInFlightWithTheCanaryFirstAndRecordsEachPairsJob() {
        FleetFixture fleet = new FleetFixture(5);
        List<Wave> started = new ArrayList<>();
        FleetRequest request = request(fleet, 2);
        FleetJobReport report = new FleetRun(fleet.jobs, fleet.engine(fleet.jobs), System::nanoTime).start(request,
                FleetPlan.of(fleet.pairs(), 1, 2, Optional.empty()), new FleetListener() {
                    @Override
                    public void waveStarted(Wave wave) {
                        started.add(wave);
                    }
                });

        assertEquals(JobState.SUCCEEDED, report.state());
        assertEquals(List.of(List.of("kv00"), List.of("kv01", "kv02"), List.of("kv03", "kv04")), started.stream().map(Wave::pairs).toList());
        Job job = fleet.jobs.job(report.jobId()).orElseThrow();
        assertEquals(FleetJob.KIND, job.kind());
        assertEquals("fleet:v2", job.pair());
        assertEquals(3, FleetJob.of(job).plan().waves().size(), "the plan is kept with the job");
        assertTrue(report.run().outcomes().stream().allMatch(o -> o.jobId().isPresent() && o.succeeded()));
    }

    @Test
    void aRollbackTakesTheWavesBackLastFirstAndASecondRollbackFindsThemBackAlready() {
        FleetFixture fleet = new FleetFixture(5);
        FleetRun run = new FleetRun(fleet.jobs, fleet.engine(fleet.jobs), System::nanoTime);
        FleetJobReport upgraded = run.start(request(fleet, 2), FleetPlan.of(fleet.pairs(), 1, 2, Optional.empty()), FleetListener.NONE);
        List<Integer> order = new ArrayList<>();

        FleetRollbackReport back = run.rollback(upgraded.jobId(), Optional.empty(), "tester@host", new FleetListener() {
            @Override
            public void waveStarted(Wave wave) {
                order.add(wave.number());
            }
        });

        assertTrue(back.complete(), back.toString());
        assertEquals(List.of(3, 2, 1), order, "last wave first");
        assertEquals(5, back.outcomes().size());
        assertTrue(back.outcomes().stream().allMatch(o -> o.state() == JobState.ROLLED_BACK), back.toString());
        for (String pair : fleet.pairs()) {
            assertEquals("v1", fleet.imageOf(pair + "-0"), pair);
            assertEquals("v1", fleet.imageOf(pair + "-1"), pair);
        }
        assertEquals(List.of(), fleet.bothDown);
        FleetRollbackReport again = run.rollback(upgraded.jobId(), Optional.of(2), "tester@host", FleetListener.NONE);
        assertEquals(List.of(), again.outcomes(), "nothing to do");
        assertEquals(List.of("kv01", "kv02"), again.alreadyBack());
    }

    @Test
    void oneWaveCanBeRolledBackAloneAndAWaveThatDoesNotExistIsRefused() {
        FleetFixture fleet = new FleetFixture(3);
        FleetRun run = new FleetRun(fleet.jobs, fleet.engine(fleet.jobs), System::nanoTime);
        FleetJobReport upgraded = run.start(request(fleet, 2), FleetPlan.of(fleet.pairs(), 1, 2, Optional.empty()), FleetListener.NONE);

        FleetRollbackReport back = run.rollback(upgraded.jobId(), Optional.of(2), "tester@host", FleetListener.NONE);

        assertEquals(List.of("kv01", "kv02"), back.outcomes().stream().map(PairOutcome::pair).sorted().toList());
        assertEquals("v2", fleet.imageOf("kv00-0"), "wave 1 stays upgraded");
        assertEquals("v1", fleet.imageOf("kv01-0"));
        FleetRefusedException refused = assertThrows(FleetRefusedException.class,
                () -> run.rollback(upgraded.jobId(), Optional.of(3), "tester@host", FleetListener.NONE));
        assertEquals("Fleet job #" + upgraded.jobId() + " has waves 1 to 2, not 3; 'duplex upgrade status " + upgraded.jobId()
                + "' lists them", refused.getMessage());
    }

    @Test
    void resumingAFleetThatEndedOrAJobThatIsNoFleetIsRefusedNamingWhatToDo() {
        FleetFixture fleet = new FleetFixture(1);
        FleetRun run = new FleetRun(fleet.jobs, fleet.engine(fleet.jobs), System::nanoTime);
        FleetJobReport done = run.start(request(fleet, 1), FleetPlan.of(fleet.pairs(), 1, 1, Optional.empty()), FleetListener.NONE);
        long pairJob = done.run().outcomes().get(0).jobId().orElseThrow();

        assertTrue(assertThrows(FleetRefusedException.class, () -> run.resume(done.jobId(), true, FleetListener.NONE)).getMessage()
                .contains("is SUCCEEDED; there is nothing to resume"));
        assertTrue(assertThrows(FleetRefusedException.class, () -> run.resume(pairJob, true, FleetListener.NONE)).getMessage()
                .contains("is a upgrade job of 'kv00', not a fleet upgrade"));
    }

    private static FleetRequest request(FleetFixture fleet, int maxInFlight) {
        return new FleetRequest(FleetSelection.all(), "v2", UpgradeStrategy.LINK, maxInFlight, 1, 0, "tester@host");
    }

    private static long fleetJobId(FleetFixture fleet) {
        // the fleet job is the first job created
        return fleet.jobs.job(1).filter(FleetJob::isFleet).map(Job::id).orElseThrow();
    }
}
