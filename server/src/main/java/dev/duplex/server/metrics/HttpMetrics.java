package dev.duplex.server.metrics;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every HTTP request as {@code duplex_http_requests_seconds}, by method, route (the path template,
 * never the raw path, so a scanner cannot blow up the series count) and status.
 */
public final class HttpMetrics {
    private record Series(String method, String route, int status) {}

    private final MeterRegistry registry;
    /** Found once per series, not built and looked up per request: at thousands of requests a second that showed in profiles. */
    private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(Context ctx, float executionMillis) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        Series series = new Series(ctx.method().name(), matched == null ? "unmatched" : matched.path, ctx.statusCode());
        timers.computeIfAbsent(series, s -> Timer.builder("duplex.http.requests").description("HTTP requests served")
                        .tag("method", s.method()).tag("route", s.route()).tag("status", Integer.toString(s.status())).register(registry))
                .record(Duration.ofNanos((long) (executionMillis * 1_000_000)));
    }
}
