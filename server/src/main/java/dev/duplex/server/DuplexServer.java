package dev.duplex.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.service.EngineFailoverService;
import dev.duplex.engine.service.EngineUpgradeService;
import dev.duplex.engine.service.JobService;
import dev.duplex.engine.service.UpgradeService;
import dev.duplex.engine.token.TokenService;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.persistence.JdbiJobQueue;
import dev.duplex.server.api.InventoryRoutes;
import dev.duplex.server.api.JobRoutes;
import dev.duplex.server.api.ReportRoutes;
import dev.duplex.server.api.TokenRoutes;
import dev.duplex.server.api.UpgradeRoutes;
import dev.duplex.server.api.FailoverRoutes;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ErrorMapping;
import dev.duplex.server.http.ProblemType;
import dev.duplex.server.jobs.JobCensus;
import dev.duplex.server.jobs.JobClaimLoop;
import dev.duplex.server.jobs.JobEvents;
import dev.duplex.server.jobs.JobRunner;
import dev.duplex.server.metrics.HttpMetrics;
import dev.duplex.server.metrics.OperationMetrics;
import dev.duplex.server.security.Access;
import dev.duplex.server.security.BearerAuthentication;
import dev.duplex.server.security.VerifiedTokens;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Duplex server: the REST API under {@code /api/v1}, its OpenAPI document, health, metrics.
 * Routes parse, call the engine, render; the rules live in the engine. Runs until {@link #stop}
 * or, through {@link #runUntilSignalled}, SIGTERM, which drains first.
 */
public final class DuplexServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DuplexServer.class);

    /** One route as registered: method and path template, for the OpenAPI check. */
    public record Route(String method, String path) {}

    private final ServerSettings settings;
    private final Inventory inventory;
    private final JobQueue jobs;
    private final TokenService tokens;
    private final PrometheusMeterRegistry metrics;
    private final OperationMetrics operations;
    private final ObjectMapper json;
    private final JobEvents events = new JobEvents();
    private final JobRunner runner;
    private final JobCensus census;
    private final JdbiJobQueue queue;
    private final InventoryRoutes inventoryRoutes;
    private final EngineFailoverService failovers;
    private final JobService jobHistory;
    private final ReportRoutes reportRoutes;
    /**
     * Accepted tokens, remembered for {@link #TOKEN_TTL} so a busy client costs no database round
     * trip per request; a token revoked on another node or by the CLI stops working here within it.
     */
    private final VerifiedTokens verifiedTokens;
    private static final Duration TOKEN_TTL = Duration.ofSeconds(2);
    private final UpgradeSettings upgradeSettings;
    private JobClaimLoop claims;
    private final List<Route> routes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Javalin app;

    @Inject
    public DuplexServer(ServerSettings settings, Inventory inventory, JobQueue jobs, JdbiJobQueue queue, TokenService tokens,
            EngineUpgradeService upgrades, PrometheusMeterRegistry metrics, InventoryRoutes inventoryRoutes, EngineFailoverService failovers,
            JobService jobHistory, UpgradeService upgradeReports) {
        this.settings = requireNonNull(settings, "settings is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.inventoryRoutes = requireNonNull(inventoryRoutes, "inventoryRoutes is null");
        this.verifiedTokens = new VerifiedTokens(tokens, TOKEN_TTL);
        this.upgradeSettings = upgrades.engine().settings();
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.operations = new OperationMetrics(metrics);
        this.json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.failovers = requireNonNull(failovers, "failovers is null");
        this.jobHistory = requireNonNull(jobHistory, "jobHistory is null");
        this.runner = new JobRunner(requireNonNull(upgrades, "upgrades is null"), failovers, events, operations.upgradeSteps());
        this.reportRoutes = new ReportRoutes(requireNonNull(upgradeReports, "upgradeReports is null"), jobs, runner::failoverReport);
        this.census = new JobCensus(inventory, jobs, Duration.ofSeconds(15));
        for (JobState state : JobState.values()) {
            Gauge.builder("duplex.jobs", census, c -> c.count(state)).description("Jobs by state, all nodes").tag("state", state.name())
                    .register(metrics);
        }
        Gauge.builder("duplex.jobs.running.here", runner, JobRunner::runningJobs).description("Jobs running in this process")
                .register(metrics);
    }

    /** The hooks the engine's services can call for their figures (step durations, failover phases, driver calls). */
    public OperationMetrics operations() {
        return operations;
    }

    /** Starts listening; refuses plain HTTP on a non-loopback address unless allowed. */
    public synchronized DuplexServer start() {
        settings.checkTransport();
        ErrorMapping errors = new ErrorMapping(json);
        BearerAuthentication authentication = new BearerAuthentication(verifiedTokens);
        HttpMetrics http = new HttpMetrics(metrics);
        byte[] openApi = openApiDocument();
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = 64 * 1024;
            config.http.defaultContentType = "application/json";
            config.jsonMapper(new JavalinJackson(json, false));
            config.requestLogger.http(http::record);
            config.events.handlerAdded(meta -> {
                if (meta.getHttpMethod().isHttpMethod()) {
                    routes.add(new Route(meta.getHttpMethod().name(), meta.getPath()));
                }
            });
            config.jetty.addConnector((server, httpConfiguration) -> connector(server, httpConfiguration));
            errors.register(config.routes);
            config.routes.beforeMatched(authentication::check);
            config.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi), Access.PUBLIC);
            config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "live")), Access.PUBLIC);
            config.routes.get("/health/ready", ctx -> {
                if (runner.draining()) {
                    throw new ApiException(ProblemType.UNAVAILABLE, "This server is draining: it finishes its running steps and takes no new jobs");
                }
                jobs.job(0); // the database answers
                ctx.json(Map.of("status", "ready"));
            }, Access.PUBLIC);
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()),
                    Access.VIEWER);
            inventoryRoutes.register(config.routes, json);
            new TokenRoutes(tokens, verifiedTokens, json).register(config.routes);
            new JobRoutes(jobs, census, events, json, stopping::get, runner, jobHistory).register(config.routes);
            new UpgradeRoutes(inventory, runner, json).register(config.routes);
            new FailoverRoutes(failovers, runner, json).register(config.routes);
            reportRoutes.register(config.routes, json);
        });
        app.start();
        // Only once it listens: a node that failed to start must not take jobs it cannot report on.
        claims = new JobClaimLoop(queue, runner, upgradeSettings.staleAfter(), upgradeSettings.node(),
                JobClaimLoop.interval(upgradeSettings.staleAfter()));
        log.info("Duplex server listening on {}://{}:{}", settings.scheme(), settings.bind(), port());
        return this;
    }

    private ServerConnector connector(org.eclipse.jetty.server.Server server, HttpConfiguration httpConfiguration) {
        ServerConnector connector;
        if (settings.tls().isPresent()) {
            ServerSettings.Tls tls = settings.tls().get();
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keystore().toString());
            ssl.setKeyStoreType("PKCS12");
            ssl.setKeyStorePassword(tls.password());
            httpConfiguration.setSecureScheme("https");
            httpConfiguration.addCustomizer(new SecureRequestCustomizer());
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(httpConfiguration));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(httpConfiguration));
        }
        connector.setHost(settings.bind());
        connector.setPort(settings.port());
        return connector;
    }

    private static byte[] openApiDocument() {
        try (InputStream in = DuplexServer.class.getResourceAsStream("/dev/duplex/server/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the server's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port it listens on (the chosen one when configured as 0). */
    public int port() {
        return app.port();
    }

    /** Every route registered, as method and path template. */
    public List<Route> routes() {
        synchronized (routes) {
            return List.copyOf(routes);
        }
    }

    /**
     * Stops taking jobs, lets running steps reach their next journal point (up to the drain timeout),
     * then stops listening. Jobs stopped at a journal point are left PENDING for a resume.
     */
    public void drainAndStop() {
        synchronized (this) {
            if (claims != null) {
                claims.close(); // stop claiming first: a drained job handed back must go to another node
            }
        }
        log.info("Draining: no new jobs; waiting up to {} for {} running job(s) to reach a journal point", settings.drainTimeout(),
                runner.runningJobs());
        boolean all = runner.drain(settings.drainTimeout());
        log.info(all ? "Drained" : "Drain timed out; stopping anyway");
        stop();
    }

    /** Stops listening at once. */
    public synchronized void stop() {
        stopping.set(true);
        if (claims != null) {
            claims.close();
        }
        runner.close();
        if (app != null) {
            app.stop();
        }
        stopped.countDown();
    }

    /**
     * Runs in the foreground (for systemd) until SIGTERM or SIGINT, then drains and stops. A
     * second signal stops at once; the journal still allows a resume.
     */
    public void runUntilSignalled() throws InterruptedException {
        try (DrainOnSignal signals = new DrainOnSignal(this::drainAndStop)) {
            stopped.await();
        }
    }

    /** Blocks until the server stopped. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }
}
