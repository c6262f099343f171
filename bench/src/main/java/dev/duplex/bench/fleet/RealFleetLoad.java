package dev.duplex.bench.fleet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client load: for every pair, a client that writes a new key and reads it back through the
 * pair's active, {@code rate} times a second. The client knows both members' addresses but not
 * which is active: a refused connection, a timeout or a "not ACT" answer makes it try the other
 * member after a short back-off (a retry), for up to {@code retryBudget}; only an operation that
 * has not succeeded by then is failed. A read that finds the key missing or holding another value
 * is retried too, and counted as stale: after an acknowledged write it should never happen.
 */
final class RealFleetLoad {
    /** The load's counts; {@code requests} are operations (a write, or a read), each counted once however often retried. */
    record Stats(long requests, long failed, long retries, long staleReads, long acknowledgedWrites) {}

    private final HttpClient client;
    private final Duration retryBudget;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final LongAdder requests = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder staleReads = new LongAdder();
    private final Map<String, Map<String, String>> acknowledged = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    private RealFleetLoad(HttpClient client, Duration retryBudget) {
        this.client = client;
        this.retryBudget = retryBudget;
    }

    /** Starts one client per pair: {@code ports} are the pair's two members, {@code active} the index of the one active now. */
    static RealFleetLoad start(HttpClient client, Map<String, int[]> ports, Map<String, Integer> active, double rate, Duration retryBudget) {
        RealFleetLoad load = new RealFleetLoad(client, retryBudget);
        long periodNanos = (long) (1e9 / rate);
        ports.forEach((pair, members) -> {
            load.acknowledged.put(pair, new ConcurrentHashMap<>());
            Thread thread = new Thread(() -> load.drive(pair, members, active.get(pair), periodNanos), "load-" + pair);
            thread.setDaemon(true);
            load.threads.add(thread);
            thread.start();
        });
        return load;
    }

    /** Stops the clients after their operation in flight (each ends within the retry budget) and returns the counts. */
    Stats stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.interrupt(); // wakes a client between operations; one mid-operation finishes it first
            thread.join();
        }
        return new Stats(requests.sum(), failed.sum(), retries.sum(), staleReads.sum(),
                acknowledged.values().stream().mapToLong(Map::size).sum());
    }

    /** Every write acknowledged, per pair: key to value. */
    Map<String, Map<String, String>> acknowledged() {
        return acknowledged;
    }

    private void drive(String pair, int[] members, int firstActive, long periodNanos) {
        int[] target = {firstActive};
        long started = System.nanoTime();
        for (long n = 1; running.get(); n++) {
            String key = "c" + n;
            String value = pair + "/" + n;
            if (operation(target, () -> put(members[target[0]], key, value))) {
                acknowledged.get(pair).put(key, value);
                operation(target, () -> read(members[target[0]], key, value));
            }
            long wait = started + n * periodNanos - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return; // stopped
                }
            }
        }
    }

    private interface Attempt {
        boolean succeeded() throws IOException, InterruptedException;
    }

    /** One operation with its retries: true once an attempt succeeds, false (failed) when the budget is spent. */
    private boolean operation(int[] target, Attempt attempt) {
        requests.increment();
        long deadline = System.nanoTime() + retryBudget.toNanos();
        long backoffMs = 50;
        while (true) {
            try {
                if (attempt.succeeded()) {
                    return true;
                }
            } catch (IOException e) {
                // refused, reset or timed out: the member is down or restarting; the other may be active
            } catch (InterruptedException e) {
                // stop() asked: this operation still ends (within the budget); the client's loop sees running is false
            }
            if (System.nanoTime() > deadline) {
                failed.increment();
                return false;
            }
            retries.increment();
            target[0] = 1 - target[0];
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                // as above
            }
            backoffMs = Math.min(backoffMs * 2, 400);
        }
    }

    private boolean put(int port, String key, String value) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv/" + key))
                .timeout(Duration.ofSeconds(3)).PUT(HttpRequest.BodyPublishers.ofString(value)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200;
    }

    private boolean read(int port, String key, String expected) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv/" + key))
                .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().equals(expected)) {
            return true;
        }
        if (response.statusCode() == 200 || response.statusCode() == 404) {
            staleReads.increment(); // the active answered without our acknowledged write
        }
        return false;
    }
}
