package dev.duplex.cli.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.cli.Installation;
import dev.duplex.cli.Services;
import dev.duplex.cli.demo.DemoImages;
import dev.duplex.cli.demo.UpgradeDemo;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The orchestrator is a real {@code duplex upgrade run} process, killed with SIGKILL once the
 * journal shows a given step started; {@code duplex upgrade resume --force} in another process
 * then completes the job, and the pair's databases hold exactly what they held before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumeAfterKillTest {
    private Path home;
    private Path config;
    private Services services;
    private UpgradeDemo demo;
    private final StringWriter progress = new StringWriter();

    @BeforeAll
    void startDatabaseAndImages() throws IOException {
        home = Files.createTempDirectory("duplex-kill-test");
        config = home.resolve("duplex.properties");
        Files.writeString(config, "duplex.home=" + home.resolve("home") + "\n");
        DuplexConfig duplexConfig = DuplexConfig.resolve(List.of(config), List.of(config), Map.of(), new Properties());
        services = Services.start(duplexConfig, DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
        demo = new UpgradeDemo(services, UpgradeCommand.settings(duplexConfig), new PrintWriter(progress, true));
        demo.prepare(DemoImages.locate(new Installation(Optional.empty()), duplexConfig.home()));
    }

    @AfterAll
    void stop() {
        if (services != null) {
            services.close();
        }
    }

    @ParameterizedTest(name = "killed at {0}")
    @ValueSource(strings = {"S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29"})
    void killedOrchestratorIsResumedAndTheDatabasesAreIntact(String step) throws Exception {
        UpgradeDemo.DemoPair pair = demo.startPair("kill-" + step.toLowerCase(java.util.Locale.ROOT), 1 << 20);
        try {
            ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.duplex.cli.Main", "--config", config.toString(),
                    "upgrade", "run", pair.name(), "--image", UpgradeDemo.IMAGE_V2, "--strategy", "link");
            // The developer's own DUPLEX_HOME or DUPLEX_DB_URL would point the orchestrator at another database.
            command.environment().keySet().removeIf(name -> name.startsWith("DUPLEX_"));
            Process orchestrator = command
                    .redirectErrorStream(true)
                    .redirectOutput(home.resolve("orchestrator-" + step + ".log").toFile())
                    .start();
            JobQueue jobs = services.get(JobQueue.class);
            long jobId = awaitStepStarted(jobs, pair.name(), step, orchestrator);
            orchestrator.destroyForcibly().waitFor();

            List<StepRecord> journalAtKill = jobs.journal(jobId);
            assertTrue(journalAtKill.stream().anyMatch(r -> r.stepId().equals(step)), "journal at kill: " + journalAtKill);
            assertTrue(jobs.job(jobId).orElseThrow().state().live(), "the killed job is still live");

            RollingUpgrade engine = services.get(RollingUpgrade.class);
            engine = engine.withSettings(UpgradeCommand.settings(DuplexConfig.resolve(List.of(config), List.of(config), Map.of(), new Properties()))
                    .withStaleAfter(Duration.ZERO));
            UpgradeReport report = engine.resume(jobId, UpgradeListener.NONE);

            assertEquals(JobState.SUCCEEDED, report.state(), report.error().orElse("") + "\n" + progress);
            assertEquals(pair.before().sha256(), demo.checksumAfter(pair.name(), pair.before()),
                    "both members' databases hold what they held before the upgrade");
            assertTrue(report.switchoverGap().isPresent());
        } finally {
            demo.stopPair(pair.name());
        }
    }

    private static long awaitStepStarted(JobQueue jobs, String pair, String step, Process orchestrator) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            Optional<Job> job = jobs.liveJob(pair);
            if (job.isPresent() && jobs.journal(job.get().id()).stream().anyMatch(r -> r.stepId().equals(step))) {
                return job.get().id();
            }
            if (!orchestrator.isAlive()) {
                throw new AssertionError("the orchestrator ended (exit " + orchestrator.exitValue() + ") before " + step + " started");
            }
            Thread.sleep(10);
        }
        throw new AssertionError(step + " did not start within 120 s");
    }
}
