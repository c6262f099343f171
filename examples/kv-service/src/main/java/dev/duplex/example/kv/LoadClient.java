package dev.duplex.example.kv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives client load against a service address: {@code rate} PUTs per second, each an independent
 * transaction (open loop: a slow or failed request does not delay the next one, as with many SIP
 * clients). A failed attempt (connection refused or reset, 5xx, no answer within the timeout) is
 * retried after {@code retryDelay}, doubled at each further retry up to {@link #MAX_RETRY_DELAY}
 * (500 ms, SIP's T1), up to {@code maxRetries} times; a request still failing then counts as failed.
 * The short first delay matters at a switchover: a write refused by the old active because it just
 * stepped down reaches the new one a few milliseconds later, not half a second later. An attempt
 * that timed out waits the full {@link #MAX_RETRY_DELAY}: quick retries would pile onto a service
 * that is already too slow.
 *
 * <p>The longest gap between two successful responses, whichever requests they belong to, is the
 * service gap a client population sees at a switchover.
 *
 * <p>Embedded: {@code LoadClient.start(options)}, {@link #snapshot()}, {@link #stop()}. Standalone:
 * {@code java -cp kv.jar dev.duplex.example.kv.LoadClient --target 127.0.0.1:18080 --rate 100
 * --seconds 30 [--verify true]}, printing a JSON line of counters every second and at the end.
 */
public final class LoadClient implements AutoCloseable {
    /**
     * What load to drive.
     *
     * @param host service address host
     * @param port service address port
     * @param ratePerSecond new requests per second
     * @param maxRetries retries of a failed request before it counts as failed
     * @param retryDelay wait before the first retry (doubled for each next one, up to {@link #MAX_RETRY_DELAY})
     * @param timeout connect and read timeout of one attempt
     * @param verify GET each key after its PUT succeeded and compare the value
     * @param keyPrefix prefix of the keys written (keys cycle over 10,000 per prefix)
     */
    public record Options(String host, int port, int ratePerSecond, int maxRetries, Duration retryDelay, Duration timeout,
                          boolean verify, String keyPrefix) {
        /** 100 req/s, 14 retries from 5 ms apart doubling to 500 ms (4.5 s in all), 1 s timeout, no verification. */
        public static Options of(String host, int port) {
            return new Options(host, port, 100, 14, Duration.ofMillis(5), Duration.ofSeconds(1), false, "load");
        }

        /** The same with another rate. */
        public Options withRate(int rate) {
            return new Options(host, port, rate, maxRetries, retryDelay, timeout, verify, keyPrefix);
        }

        /** The same with GET-after-PUT verification on or off. */
        public Options withVerify(boolean on) {
            return new Options(host, port, ratePerSecond, maxRetries, retryDelay, timeout, on, keyPrefix);
        }
    }

    /**
     * Counters at one moment.
     *
     * @param requests requests started (retries not counted)
     * @param succeeded requests that got a 2xx, possibly after retries
     * @param failedAfterRetry requests that still failed after the last retry
     * @param retries retries made
     * @param inFlight requests not finished yet
     * @param verifyFailures GETs after a PUT that did not return the value written
     * @param longestGapMs longest time between two successful responses
     * @param longestGapStartedAt when that gap began: the success before it (null before two successes)
     * @param longestGapEndedAt when that gap ended (null before two successes)
     * @param elapsedMs time since the start
     */
    public record Stats(long requests, long succeeded, long failedAfterRetry, long retries, long inFlight,
                        long verifyFailures, long longestGapMs, Instant longestGapStartedAt, Instant longestGapEndedAt, long elapsedMs) {
        /** One JSON line. */
        public String toJson() {
            return Json.object("requests", requests, "succeeded", succeeded, "failed_requests", failedAfterRetry,
                    "retries", retries, "in_flight", inFlight, "verify_failures", verifyFailures,
                    "longest_gap_ms", longestGapMs, "longest_gap_started_at",
                    longestGapStartedAt == null ? null : longestGapStartedAt.toString(), "longest_gap_ended_at",
                    longestGapEndedAt == null ? null : longestGapEndedAt.toString(), "elapsed_ms", elapsedMs);
        }
    }

    private final Options options;
    private final ScheduledExecutorService clock = Executors.newScheduledThreadPool(2, daemon("load-clock"));
    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("load-worker"));
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong verifyFailures = new AtomicLong();
    private final long startedNanos = System.nanoTime();
    private long lastSuccessNanos = -1;
    private long longestGapNanos;
    private Instant longestGapStartedAt;
    private Instant longestGapEndedAt;
    private volatile boolean stopping;
    /** Gaps of 10 ms or more between two successes, as [start, end] wall-clock instants (bounded). */
    private final java.util.List<Instant[]> gaps = new java.util.ArrayList<>();
    private static final long NOTED_GAP_NANOS = 10_000_000L;
    private static final int MAX_NOTED_GAPS = 100_000;

    private LoadClient(Options options) {
        this.options = options;
    }

    /** The longest wait between two retries of one request. */
    public static final Duration MAX_RETRY_DELAY = Duration.ofMillis(500);

    /** Starts sending at once. */
    public static LoadClient start(Options options) {
        LoadClient client = new LoadClient(options);
        client.clock.scheduleAtFixedRate(client::tick, 0, 1_000_000_000L / options.ratePerSecond(), TimeUnit.NANOSECONDS);
        return client;
    }

    private void tick() {
        if (stopping) {
            return;
        }
        long n = requests.incrementAndGet();
        inFlight.incrementAndGet();
        String key = options.keyPrefix() + "-" + (n % 10_000);
        byte[] value = ("value " + n + " at " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        workers.execute(() -> attempt(new Request(key, value), 0));
    }

    private record Request(String key, byte[] value) {}

    /** One attempt; on failure schedules the retry on the clock instead of sleeping in a worker. */
    private void attempt(Request request, int retry) {
        int timeout = (int) options.timeout().toMillis();
        boolean timedOut = false;
        try {
            MiniHttp.Response response = MiniHttp.send(options.host(), options.port(), "PUT", "/kv/" + request.key(),
                    request.value(), timeout);
            if (response.status() / 100 == 2) {
                success();
                if (options.verify()) {
                    verify(request);
                }
                inFlight.decrementAndGet();
                return;
            }
            // 4xx would be our own bug; retrying it is harmless and keeps the rule simple: not 2xx = failed attempt
        } catch (java.net.SocketTimeoutException e) {
            timedOut = true; // the service is overloaded: back off fully, or retries pile onto it
        } catch (IOException e) {
            // refused or reset: a failed attempt, answered at once
        }
        if (retry < options.maxRetries()) {
            retries.incrementAndGet();
            long delay = timedOut ? MAX_RETRY_DELAY.toNanos()
                    : Math.min(MAX_RETRY_DELAY.toNanos(), options.retryDelay().toNanos() << Math.min(retry, 20));
            clock.schedule(() -> workers.execute(() -> attempt(request, retry + 1)), delay, TimeUnit.NANOSECONDS);
        } else {
            failed.incrementAndGet();
            inFlight.decrementAndGet();
        }
    }

    private void verify(Request request) {
        for (int retry = 0; retry <= options.maxRetries(); retry++) {
            try {
                MiniHttp.Response response = MiniHttp.send(options.host(), options.port(), "GET", "/kv/" + request.key(),
                        null, (int) options.timeout().toMillis());
                if (response.status() == 200) {
                    // a later PUT of the same key (10,000 requests later) could legitimately differ; at demo rates it cannot overlap
                    if (!Arrays.equals(response.body(), request.value())) {
                        verifyFailures.incrementAndGet();
                    }
                    return;
                }
            } catch (IOException e) {
                // fall through to the retry
            }
            sleep(MAX_RETRY_DELAY.toMillis());
        }
        verifyFailures.incrementAndGet();
    }

    private synchronized void success() {
        long now = System.nanoTime();
        succeeded.incrementAndGet();
        if (lastSuccessNanos >= 0 && now - lastSuccessNanos >= NOTED_GAP_NANOS && gaps.size() < MAX_NOTED_GAPS) {
            Instant end = Instant.now();
            gaps.add(new Instant[] {end.minusNanos(now - lastSuccessNanos), end});
        }
        if (lastSuccessNanos >= 0 && now - lastSuccessNanos > longestGapNanos) {
            longestGapNanos = now - lastSuccessNanos;
            longestGapEndedAt = Instant.now();
            longestGapStartedAt = longestGapEndedAt.minusNanos(longestGapNanos);
        }
        lastSuccessNanos = now;
    }

    /**
     * The gap between two successful responses that contains {@code at} (such as the moment the
     * active stepped down), as its [start, end]; empty when a success came within 10 ms of it.
     */
    public synchronized java.util.Optional<Instant[]> gapAround(Instant at) {
        return gaps.stream().filter(g -> !at.isBefore(g[0]) && !at.isAfter(g[1])).findFirst().map(g -> g.clone());
    }

    /** The counters now. */
    public synchronized Stats snapshot() {
        return new Stats(requests.get(), succeeded.get(), failed.get(), retries.get(), inFlight.get(),
                verifyFailures.get(), longestGapNanos / 1_000_000, longestGapStartedAt, longestGapEndedAt,
                (System.nanoTime() - startedNanos) / 1_000_000);
    }

    /** Stops starting requests, lets those in flight finish (retries included), and returns the final counters. */
    public Stats stop() {
        stopping = true;
        long limit = options.timeout().plus(MAX_RETRY_DELAY).toMillis() * (options.maxRetries() + 2);
        long deadline = System.nanoTime() + limit * 1_000_000;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            sleep(10);
        }
        clock.shutdownNow();
        workers.shutdownNow();
        return snapshot();
    }

    @Override
    public void close() {
        stop();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** {@code LoadClient --target HOST:PORT [--rate 100] [--seconds 30] [--verify false] [--retries 14]}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        String target = o.getOrDefault("--target", "127.0.0.1:8080");
        int colon = target.lastIndexOf(':');
        Options base = Options.of(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
        Options options = new Options(base.host(), base.port(), Integer.parseInt(o.getOrDefault("--rate", "100")),
                Integer.parseInt(o.getOrDefault("--retries", "14")), base.retryDelay(), base.timeout(),
                Boolean.parseBoolean(o.getOrDefault("--verify", "false")), o.getOrDefault("--prefix", "load"));
        long seconds = Long.parseLong(o.getOrDefault("--seconds", "30"));
        LoadClient client = start(options);
        for (long s = 0; s < seconds; s++) {
            Thread.sleep(1000);
            System.out.println(client.snapshot().toJson());
        }
        Stats stats = client.stop();
        System.out.println(stats.toJson());
        System.exit(stats.failedAfterRetry() == 0 ? 0 : 1);
    }
}
