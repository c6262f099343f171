package dev.duplex.engine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The failover bench's split: phases timed where the engine journals them, never summing past the wait. */
class FailoverSplitTest {
    private static StepTimedJobs.Interval at(long start, long end) {
        return new StepTimedJobs.Interval(start, end);
    }

    @Test
    void promoteGoingOnAfterTheFirstAcceptedWriteCountsOnlyUpToIt() {
        // The case that printed a negative overhead: the kv service took the first write at 500,
        // while promote was still reading the role back until 540.
        var steps = Map.of("fence", at(20, 26), "sync", at(30, 50), "start", at(52, 390), "promote", at(392, 540),
                "record-roles", at(541, 560));

        FailoverSplit split = FailoverSplit.of(0, 500, steps);

        assertEquals(500, split.total());
        assertEquals(108, split.promote(), "promote from 392 to the first write at 500");
        assertEquals(40, split.afterFirstWrite());
        assertEquals(20, split.prepare());
        assertEquals(500 - 6 - 20 - 338 - 108, split.overhead());
        assertTrue(split.fence() + split.sync() + split.start() + split.promote() <= split.total());
    }

    @Test
    void thePhasesNeverSumPastTheWaitWhereverTheFirstWriteLands() {
        var random = new Random(10);
        for (int i = 0; i < 1000; i++) {
            long t = random.nextInt(50);
            var steps = new LinkedHashMap<String, StepTimedJobs.Interval>();
            for (String phase : FailoverSplit.PHASES) {
                long start = t + random.nextInt(20);
                t = start + random.nextInt(400);
                steps.put(phase, at(start, t));
            }
            long firstWrite = random.nextInt((int) t + 100);

            FailoverSplit split = FailoverSplit.of(0, firstWrite, steps);

            assertTrue(split.overhead() >= 0, "overhead " + split.overhead() + " of " + steps + ", first write " + firstWrite);
            assertTrue(split.fence() + split.sync() + split.start() + split.promote() + split.prepare() <= split.total());
        }
    }

    @Test
    void overlappingOrMissingPhasesAreRefusedNotSplit() {
        var overlapping = Map.of("fence", at(0, 10), "sync", at(5, 20), "start", at(20, 30), "promote", at(30, 40));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FailoverSplit.of(0, 50, overlapping))
                .getMessage().contains("overlap"));
        var noPromote = Map.of("fence", at(0, 10), "sync", at(10, 20), "start", at(20, 30));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FailoverSplit.of(0, 50, noPromote))
                .getMessage().contains("'promote'"));
    }

    @Test
    void aStepIsTimedFromItsStartJournaledToItsEndNotIncludingTheJournalWrites() {
        long[] now = {0};
        var journal = new SlowJournal(now);
        var jobs = new StepTimedJobs(journal, () -> now[0]);

        jobs.stepStarted(1, "fence");   // the journal write takes 5: the step's work begins at 5
        now[0] += 7;                    // the fence itself
        jobs.stepDone(1, "fence", Map.of()); // ends at 12, then the journal write to 17
        jobs.stepStarted(1, "sync");
        now[0] += 3;
        jobs.stepFailed(1, "sync", "disk full");

        assertEquals(Map.of("fence", at(5, 12)), jobs.intervals(), "a failed step has no interval");
        assertEquals(List.of("started fence", "done fence", "started sync", "failed sync"), journal.written);
        jobs.clear();
        assertEquals(Map.of(), jobs.intervals());
    }

    /** A journal whose every write takes 5 ticks of the clock; the rest of the port is not used here. */
    private static final class SlowJournal implements JobQueue {
        final long[] now;
        final List<String> written = new ArrayList<>();

        SlowJournal(long[] now) {
            this.now = now;
        }

        private void write(String record) {
            written.add(record);
            now[0] += 5;
        }

        @Override
        public void stepStarted(long jobId, String stepId) {
            write("started " + stepId);
        }

        @Override
        public void stepDone(long jobId, String stepId, Map<String, String> outputs) {
            write("done " + stepId);
        }

        @Override
        public void stepFailed(long jobId, String stepId, String error) {
            write("failed " + stepId);
        }

        @Override
        public Job create(String kind, String pair, String requestedBy, Map<String, String> parameters) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Job> job(long id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Job> liveJob(String pair) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Job> liveJobOn(String vm) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Job> jobs(String pair) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Job> claim(String node, Duration staleAfter) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Job> claim(long jobId, String node, Duration staleAfter) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean heartbeat(long jobId, String node) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean release(long jobId, String node) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void finish(long jobId, JobState state, Optional<String> error) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<StepRecord> journal(long jobId) {
            throw new UnsupportedOperationException();
        }
    }
}
