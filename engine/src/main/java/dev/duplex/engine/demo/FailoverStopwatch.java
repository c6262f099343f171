package dev.duplex.engine.demo;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.VolumeLink;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.failover.FailoverReport;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.service.AddEndpoint;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.service.CreateVm;
import dev.duplex.engine.service.CreateVolume;
import dev.duplex.engine.service.RegisterImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A failover as a user feels it. Each run makes a cold pair of the demo application through the
 * services (as the README's {@code kvc} walk-through does: the active running, its environment
 * info pushed, the standby off), kills the active's whole process group with SIGKILL, then fails
 * the pair over through {@link dev.duplex.engine.service.FailoverService} while a client writes to
 * the standby's port. The time is from the failover's call to the first write the new active
 * accepts, split into the failover's phases as the engine journals them ({@link StepTimedJobs},
 * one clock, each phase cut to that window by {@link FailoverSplit}); what lies in no phase is
 * Duplex's own overhead.
 */
public final class FailoverStopwatch {
    public static final String ENDPOINT = "bench";
    public static final String IMAGE = "kv-bench";
    private static final long VOLUME_BYTES = 16 << 20;

    private final DemoService services;
    private final DemoApplication application;
    private final DemoProgress progress;
    private final Actor actor;
    private final Optional<Long> startSettleMs;
    private final SecureRandom random = new SecureRandom();

    FailoverStopwatch(DemoService services, DemoApplication application, DemoProgress progress, Actor actor, Optional<Long> startSettleMs) {
        this.services = requireNonNull(services, "services is null");
        this.application = requireNonNull(application, "application is null");
        this.progress = requireNonNull(progress, "progress is null");
        this.actor = requireNonNull(actor, "actor is null");
        this.startSettleMs = requireNonNull(startSettleMs, "startSettleMs is null");
    }

    /**
     * One run's figures, in nanoseconds: the split of the wait, and what the engine's report adds.
     *
     * @param split the wait from the failover's call to the first accepted write, by phase
     * @param returned when the failover call returned
     * @param healthWait within promote, the standby's application booting
     * @param syncPath the environment sync performed (nothing, diff, full)
     */
    public record Run(FailoverSplit split, long returned, long healthWait, String syncPath) {
        public Run {
            requireNonNull(split, "split is null");
            requireNonNull(syncPath, "syncPath is null");
        }

        public long total() {
            return split.total();
        }

        public long fence() {
            return split.fence();
        }

        public long sync() {
            return split.sync();
        }

        public long start() {
            return split.start();
        }

        public long promote() {
            return split.promote();
        }

        public long prepare() {
            return split.prepare();
        }

        public long afterFirstWrite() {
            return split.afterFirstWrite();
        }

        public long overhead() {
            return split.overhead();
        }
    }

    /** Adds the bench endpoint and registers the application's v2 image from {@code images/v2}. */
    public void prepare(Path images) {
        Map<String, String> properties = startSettleMs.map(ms -> Map.of("start-settle-ms", Long.toString(ms))).orElse(Map.of());
        services.endpoints.add(new AddEndpoint(ENDPOINT, "local", Optional.empty(), Optional.empty(), properties), actor);
        services.images.register(new RegisterImage(IMAGE, ENDPOINT, "v2", images.resolve("v2").toString(), Map.of()), actor);
    }

    /**
     * Run {@code index}: a new cold pair with a {@code envBytes} settings item pushed, its active
     * crashed, failed over and timed; both members are stopped afterwards.
     */
    public Run once(int index, int envBytes) throws IOException {
        String base = "fo" + index + "-" + Long.toString(System.currentTimeMillis(), 36);
        List<String> members = List.of(base + "-0", base + "-1");
        int[] ports = {UpgradeDemo.freePort(), UpgradeDemo.freePort()};
        String token = token();
        List<String> made = new ArrayList<>();
        try {
            for (int system = 0; system < 2; system++) {
                String volume = base + "-db" + system;
                services.volumes.create(new CreateVolume(volume, ENDPOINT, VOLUME_BYTES, "database", Map.of()), actor);
                Map<String, String> properties = new LinkedHashMap<>();
                properties.put("env.KV_PORT", Integer.toString(ports[system]));
                properties.put("env.ROLE_TOKEN", token);
                if (system == 0) {
                    properties.put("env.KV_ROLE", "ACT");
                }
                services.vms.create(new CreateVm(members.get(system), ENDPOINT, IMAGE,
                        List.of(new LinkRecord(volume, "db", VolumeLink.Mode.MOUNT_AT_BOOT)), properties), actor);
                made.add(members.get(system));
            }
            services.pairs.create(new CreatePair(base, members.get(0), members.get(1), 0, StandbyKind.COLD,
                    UpgradeDemo.httpRoleController(members, ports), Map.of()), actor);
            services.vms.start(members.get(0), false, actor);
            application.awaitHealthy(members.get(0), ports[0], Duration.ofSeconds(60));
            byte[] settings = new byte[envBytes];
            random.nextBytes(settings);
            services.environments.push(base, new EnvironmentSnapshot(7, List.of(
                    new EnvironmentItem("settings", settings),
                    new EnvironmentItem("configuration", ("port=" + ports[0] + "\nrole=active\n").getBytes(StandardCharsets.UTF_8)))), actor);

            VmRecord active = services.inventory.vm(members.get(0)).orElseThrow();
            LocalVmCrash.killProcessGroup(active.driverRef(), active.name());

            // The engine's own clock (System.nanoTime) times the steps and the client alike.
            StepTimedJobs[] timed = new StepTimedJobs[1];
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(30);
            CompletableFuture<Long> firstWrite = CompletableFuture.supplyAsync(() -> application.firstAcceptedWrite(ports[1], deadline));
            FailoverReport report = services.failovers.failover(base, false, false, actor,
                    jobs -> timed[0] = new StepTimedJobs(jobs, System::nanoTime));
            long returned = System.nanoTime() - started;
            FailoverSplit split = FailoverSplit.of(started, firstWrite.get(30, TimeUnit.SECONDS), timed[0].intervals());
            return new Run(split, returned, report.overhead().healthWait().toNanos(), report.sync().performed().name().toLowerCase(Locale.ROOT));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Run " + index + ": the new active " + members.get(1) + " on port " + ports[1]
                    + " accepted no write within 30 s of the failover: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            for (String member : made) {
                try {
                    services.vms.stop(member, true, actor);
                } catch (RuntimeException e) {
                    progress.problem("stopping " + member + " failed: " + e.getMessage());
                }
            }
        }
    }

    private String token() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
