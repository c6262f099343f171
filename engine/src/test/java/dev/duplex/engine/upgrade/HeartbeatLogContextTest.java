package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.testing.FakeJobQueue;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A line the heartbeat thread logs names the process, the command and the job, as the job's own thread does. */
class HeartbeatLogContextTest {
    @Test
    void theHeartbeatThreadCarriesTheLogContextOfTheThreadThatRunsTheJob() throws Exception {
        FakeJobQueue jobs = new FakeJobQueue();
        Job job = jobs.create("upgrade", "kv", "ops@host", Map.of());
        jobs.claim(job.id(), "node-a", Duration.ofSeconds(30)).orElseThrow();
        BlockingQueue<Map<String, String>> seen = new LinkedBlockingQueue<>();
        // the queue as the heartbeat thread sees it: what that thread's MDC holds when it beats
        JobQueue watched = (JobQueue) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {JobQueue.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("heartbeat")) {
                        seen.add(Optional.ofNullable(MDC.getCopyOfContextMap()).orElse(Map.of()));
                    }
                    try {
                        return method.invoke(jobs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        MDC.put("pid", "4242");
        MDC.put("command", "upgrade run");
        MDC.put("job", Long.toString(job.id()));
        try (Heartbeat heartbeat = new Heartbeat(watched, job.id(), "node-a", Duration.ofMillis(20))) {
            Map<String, String> context = seen.poll(30, TimeUnit.SECONDS);
            assertNotNull(context, "the heartbeat beat");
            assertEquals(Map.of("pid", "4242", "command", "upgrade run", "job", Long.toString(job.id())), context);
        } finally {
            MDC.clear();
        }
    }
}
