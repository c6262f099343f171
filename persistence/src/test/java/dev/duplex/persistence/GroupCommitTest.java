package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
    /** A line standing for job {@code job}'s, as the journal's step boundaries are. */
    private record Line(long jobId) {}

    private static Line line(long job) {
        return new Line(job);
    }

    @Test
    void aLoneCallerWritesItsLineInAWriteOfItsOwn() {
        List<List<Line>> writes = new ArrayList<>();
        GroupCommit<Line> boundaries = new GroupCommit<>(writes::add);
        boundaries.write(line(1));
        boundaries.write(line(2));
        assertEquals(List.of(List.of(line(1)), List.of(line(2))), writes);
    }

    @Test
    void linesQueuedDuringACommitShareTheNextAndEveryCallerReturnsOnlyOnceItsLineIsWritten() throws Exception {
        CountDownLatch firstWriteHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Long>> writes = Collections.synchronizedList(new ArrayList<>());
        java.util.Set<Long> written = ConcurrentHashMap.newKeySet();
        GroupCommit<Line> boundaries = new GroupCommit<>(group -> {
            if (writes.isEmpty()) {
                firstWriteHeld.countDown();
                await(release);
            }
            writes.add(group.stream().map(Line::jobId).toList());
            group.forEach(b -> written.add(b.jobId()));
        });
        ExecutorService callers = Executors.newFixedThreadPool(21);
        try {
            Future<?> first = callers.submit(() -> boundaries.write(line(0)));
            assertTrue(firstWriteHeld.await(10, TimeUnit.SECONDS));
            List<Future<Boolean>> others = new ArrayList<>();
            for (long job = 1; job <= 20; job++) {
                long id = job;
                others.add(callers.submit(() -> {
                    boundaries.write(line(id));
                    return written.contains(id); // returned only after its write
                }));
            }
            Thread.sleep(200); // all twenty queue behind the held commit
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            for (Future<Boolean> other : others) {
                assertTrue(other.get(10, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(List.of(0L), writes.get(0));
        assertEquals(2, writes.size(), "the twenty that queued share one commit: " + writes);
        assertEquals(20, writes.get(1).size());
    }

    @Test
    void aGroupThatFailsIsWrittenAgainLineByLineSoOnlyTheBadLineFails() throws Exception {
        CountDownLatch firstWriteHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Long>> writes = Collections.synchronizedList(new ArrayList<>());
        GroupCommit<Line> boundaries = new GroupCommit<>(group -> {
            if (writes.isEmpty()) {
                writes.add(List.of());
                firstWriteHeld.countDown();
                await(release);
                return;
            }
            if (group.stream().anyMatch(b -> b.jobId() == 13)) {
                throw new IllegalStateException("job #13 is gone");
            }
            writes.add(group.stream().map(Line::jobId).toList());
        });
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            Future<?> first = callers.submit(() -> boundaries.write(line(0)));
            assertTrue(firstWriteHeld.await(10, TimeUnit.SECONDS));
            Future<?> good = callers.submit(() -> boundaries.write(line(12)));
            Future<?> bad = callers.submit(() -> boundaries.write(line(13)));
            Future<?> alsoGood = callers.submit(() -> boundaries.write(line(14)));
            Thread.sleep(200);
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            good.get(10, TimeUnit.SECONDS);
            alsoGood.get(10, TimeUnit.SECONDS);
            java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> bad.get(10, TimeUnit.SECONDS));
            assertEquals("job #13 is gone", failed.getCause().getMessage());
        } finally {
            callers.shutdownNow();
        }
        assertTrue(writes.contains(List.of(12L)) && writes.contains(List.of(14L)), writes.toString());
    }

    @Test
    void underManyCallersEveryLineIsWrittenExactlyOnce() throws Exception {
        java.util.Map<Long, Integer> times = new ConcurrentHashMap<>();
        GroupCommit<Line> boundaries = new GroupCommit<>(group -> group.forEach(b -> times.merge(b.jobId(), 1, Integer::sum)));
        ExecutorService callers = Executors.newFixedThreadPool(32);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (long job = 0; job < 5_000; job++) {
                long id = job;
                all.add(callers.submit(() -> boundaries.write(line(id))));
            }
            for (Future<?> f : all) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(5_000, times.size());
        assertTrue(times.values().stream().allMatch(n -> n == 1), "each line written once");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
