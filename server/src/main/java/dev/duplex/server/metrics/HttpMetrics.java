package dev.duplex.server.metrics;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Every HTTP request as {@code duplex_http_requests_seconds}, by method, route (the path template,
 * never the raw path, so a scanner cannot blow up the series count) and status.
 */
public final class HttpMetrics {
    private final MeterRegistry registry;

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(Context ctx, float executionMillis) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        String route = matched == null ? "unmatched" : matched.path;
        Timer.builder("duplex.http.requests").description("HTTP requests served")
                .tag("method", ctx.method().name()).tag("route", route).tag("status", Integer.toString(ctx.statusCode()))
                .register(registry).record(Duration.ofNanos((long) (executionMillis * 1_000_000)));
    }
}
