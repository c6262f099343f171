package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.job.JobState;
import dev.duplex.engine.service.EngineUpgradeService;
import dev.duplex.engine.service.UpgradeService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code upgrade status --watch}: following, from the journal, a job another process runs. */
class FollowJobTest {
    private static final List<String> PAIR_STEPS = List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29");

    @Test
    void aFinishedJobIsToldOnceStepByStepAndItsReportReturned() {
        PairFixture f = new PairFixture();
        UpgradeReport run = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        Recorder recorder = new Recorder(null);

        UpgradeReport followed = new EngineUpgradeService(f.engine()).follow(run.jobId(), recorder, Duration.ofMillis(5));

        assertEquals(JobState.SUCCEEDED, followed.state());
        assertEquals(PAIR_STEPS.stream().flatMap(s -> List.of("start " + s, "end " + s).stream()).toList(), recorder.lines());
    }

    @Test
    void aRunningJobIsFollowedUntilItEnds() throws Exception {
        PairFixture f = new PairFixture();
        CountDownLatch watcherSawS23 = new CountDownLatch(1);
        CountDownLatch runnerAtS24 = new CountDownLatch(1);
        UpgradeListener slowRunner = new UpgradeListener() {
            @Override
            public void stepStarted(long jobId, StepInfo step) {
                if (step.id().equals("S24")) {
                    runnerAtS24.countDown();
                    await(watcherSawS23); // the job stays running until the watcher has seen its first steps
                }
            }
        };
        CompletableFuture<UpgradeReport> running = CompletableFuture.supplyAsync(() -> f.engine().run(f.request(UpgradeStrategy.LINK), slowRunner));
        assertTrue(runnerAtS24.await(30, TimeUnit.SECONDS), "the run reached S24");
        long jobId = f.jobs.liveJob("kv").orElseThrow().id();
        Recorder recorder = new Recorder(step -> {
            if (step.equals("end S23")) {
                watcherSawS23.countDown();
            }
        });

        UpgradeReport followed = new EngineUpgradeService(f.engine()).follow(jobId, recorder, Duration.ofMillis(5));

        assertEquals(JobState.SUCCEEDED, followed.state(), () -> followed.error().orElse(""));
        assertEquals(JobState.SUCCEEDED, running.get(30, TimeUnit.SECONDS).state());
        assertEquals(PAIR_STEPS.stream().flatMap(s -> List.of("start " + s, "end " + s).stream()).toList(), recorder.lines());
    }

    @Test
    void aPollIntervalThatIsNotPositiveIsRefused() {
        PairFixture f = new PairFixture();
        UpgradeService upgrades = new EngineUpgradeService(f.engine());
        assertThrows(IllegalArgumentException.class, () -> upgrades.follow(1, UpgradeListener.NONE, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> upgrades.follow(1, UpgradeListener.NONE, Duration.ofMillis(-1)));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the watcher never saw S23");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The lines a watcher would print, in order. */
    private static final class Recorder implements UpgradeListener {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final java.util.function.Consumer<String> onLine;

        Recorder(java.util.function.Consumer<String> onLine) {
            this.onLine = onLine == null ? line -> { } : onLine;
        }

        @Override
        public void stepStarted(long jobId, StepInfo step) {
            add("start " + step.id());
        }

        @Override
        public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
            add("end " + step.id());
        }

        @Override
        public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
            add("failed " + step.id());
        }

        private void add(String line) {
            lines.add(line);
            onLine.accept(line);
        }

        List<String> lines() {
            return List.copyOf(lines);
        }
    }
}
