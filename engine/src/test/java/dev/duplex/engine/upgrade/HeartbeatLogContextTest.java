package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.testing.FakeJobQueue;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A node beats for all its running jobs with one write per beat, and a line the heartbeat thread
 * logs about a job names the process, the command and that job, as the job's own thread does.
 */
class HeartbeatLogContextTest {
    @Test
    void aFailedBeatIsLoggedPerJobWithTheLogContextOfTheThreadThatRunsIt() throws Exception {
        FakeJobQueue jobs = new FakeJobQueue();
        Job kv = claimed(jobs, "kv");
        Job web = claimed(jobs, "web");
        AtomicBoolean failing = new AtomicBoolean(true);
        List<List<Long>> batches = new CopyOnWriteArrayList<>();
        JobQueue watched = watch(jobs, batches, failing);
        BlockingQueue<ILoggingEvent> lines = new LinkedBlockingQueue<>();
        Logger logger = (Logger) LoggerFactory.getLogger(Heartbeat.class);
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                event.prepareForDeferredProcessing(); // takes the MDC now, on the thread that logs, not when the test reads it
                if (event.getThreadName().equals("duplex-heartbeat-node-a")) { // not a line another test class's timer wrote
                    lines.add(event);
                }
            }
        };
        appender.start();
        logger.addAppender(appender);
        NodeHeartbeat node = new NodeHeartbeat(watched, "node-a", Duration.ofMillis(20));
        try (Heartbeat first = inContext(kv, "upgrade run", () -> node.start(kv.id()));
                Heartbeat second = inContext(web, "upgrade fleet", () -> node.start(web.id()))) {
            Map<Long, Map<String, String>> contexts = new java.util.HashMap<>();
            while (contexts.size() < 2) {
                ILoggingEvent line = lines.poll(30, TimeUnit.SECONDS);
                assertNotNull(line, "the heartbeat thread logged the failed beat of each job");
                contexts.put(line.getFormattedMessage().contains("#" + kv.id() + " ") ? kv.id() : web.id(), line.getMDCPropertyMap());
            }
            assertEquals(Map.of("pid", "4242", "command", "upgrade run", "job", Long.toString(kv.id())), contexts.get(kv.id()));
            assertEquals(Map.of("pid", "4242", "command", "upgrade fleet", "job", Long.toString(web.id())), contexts.get(web.id()));
            assertTrue(batches.stream().anyMatch(batch -> batch.size() == 2), "one write for both jobs: " + batches);
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void aJobTakenOverByAnotherNodeStopsAtItsNextCheckWhileTheOthersBeatOn() throws Exception {
        FakeJobQueue jobs = new FakeJobQueue();
        Job kv = claimed(jobs, "kv");
        Job web = claimed(jobs, "web");
        List<List<Long>> batches = new CopyOnWriteArrayList<>();
        NodeHeartbeat node = new NodeHeartbeat(watch(jobs, batches, new AtomicBoolean()), "node-a", Duration.ofMillis(20));
        try (Heartbeat kvBeat = node.start(kv.id()); Heartbeat webBeat = node.start(web.id())) {
            Thread.sleep(60);
            jobs.claim(kv.id(), "node-b", Duration.ZERO).orElseThrow(); // node-b takes kv over (its beat counted stale)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean stopped = false;
            while (!stopped && System.nanoTime() < deadline) {
                try {
                    kvBeat.check();
                    Thread.sleep(10);
                } catch (Heartbeat.OwnershipLost lost) {
                    stopped = true;
                }
            }
            assertTrue(stopped, "kv's run learns it no longer owns its job");
            webBeat.check(); // web is still node-a's
            assertFalse(jobs.job(web.id()).orElseThrow().owner().isEmpty());
            assertThrows(Heartbeat.OwnershipLost.class, kvBeat::check);
        }
    }

    private static Job claimed(FakeJobQueue jobs, String pair) {
        Job job = jobs.create("upgrade", pair, "ops@host", Map.of());
        return jobs.claim(job.id(), "node-a", Duration.ofSeconds(30)).orElseThrow();
    }

    /** The queue as the heartbeat thread sees it: each batch it writes, and a failing write while {@code failing}. */
    private static JobQueue watch(FakeJobQueue jobs, List<List<Long>> batches, AtomicBoolean failing) {
        return (JobQueue) Proxy.newProxyInstance(HeartbeatLogContextTest.class.getClassLoader(), new Class<?>[] {JobQueue.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("heartbeat") && args[0] instanceof java.util.Collection<?> ids) {
                        batches.add(ids.stream().map(Long.class::cast).toList());
                        if (failing.get()) {
                            throw new IllegalStateException("connection refused");
                        }
                    }
                    try {
                        return method.isDefault() ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args) : method.invoke(jobs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static <T> T inContext(Job job, String command, java.util.function.Supplier<T> action) {
        MDC.put("pid", "4242");
        MDC.put("command", command);
        MDC.put("job", Long.toString(job.id()));
        try {
            return action.get();
        } finally {
            MDC.clear();
        }
    }
}
