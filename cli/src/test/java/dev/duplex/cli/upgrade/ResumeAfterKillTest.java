package dev.duplex.cli.upgrade;

import dev.duplex.cli.TestHome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.VmRef;
import dev.duplex.cli.Installation;
import dev.duplex.cli.Services;
import dev.duplex.cli.demo.DemoImages;
import dev.duplex.cli.demo.KvApplication;
import dev.duplex.cli.demo.ProgressLines;
import dev.duplex.engine.demo.DemoService;
import dev.duplex.engine.demo.UpgradeDemo;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The orchestrator is a real {@code duplex upgrade run} process, killed with SIGKILL at a chosen
 * point: after a step's platform action has happened but before the journal records the step
 * DONE, the window in which a crash leaves the journal and the platform disagreeing. A trigger on
 * {@code job_steps} makes the orchestrator wait at that point (its DONE write for the step blocks
 * on an advisory lock this test holds), so the kill lands there every time, not somewhere after
 * it; the test proves the landing from the journal (the step STARTED, never DONE; every earlier
 * step DONE; no later step begun) and from the platform (the members' images, VM states and the
 * active system are the ones the step's action leaves). {@code upgrade resume --force} in this
 * process then completes the job, re-running only the killed step, and the pair's databases
 * hold exactly what they held before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumeAfterKillTest {
    private static final List<String> STEPS = List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29");
    /** The advisory lock the orchestrator's DONE write for the chosen step waits for. */
    private static final long HOLD_KEY = 0x4B494C4CL; // "KILL"

    private Path home;
    private Path config;
    private Services services;
    private UpgradeDemo demo;
    private final StringWriter progress = new StringWriter();

    @BeforeAll
    void startDatabaseAndImages() throws IOException {
        home = TestHome.create("duplex-kill-test");
        config = home.resolve("duplex.properties");
        Files.writeString(config, "duplex.home=" + home.resolve("home") + "\nduplex.db.idle-stop=PT0S\n"); // the test deletes the home: the server stops with its last user
        DuplexConfig duplexConfig = DuplexConfig.resolve(List.of(config), List.of(config), Map.of(), new Properties());
        services = Services.start(duplexConfig, DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
        demo = services.get(DemoService.class).upgradeDemo(new KvApplication(), new ProgressLines(new PrintWriter(progress, true)));
        demo.prepare(DemoImages.locate(new Installation(Optional.empty()), duplexConfig.home()));
    }

    @AfterAll
    void stop() {
        if (services != null) {
            services.close();
        }
    }

    /**
     * Each row: the step killed in, then what the platform shows once that step's action is done:
     * system 0's member (the first active) as "image state", system 1's (the first standby), and
     * the active system recorded in the inventory.
     */
    @ParameterizedTest(name = "killed in {0} after its platform action, before its DONE")
    @CsvSource({
            "S21, kv-v1 RUNNING, kv-v1 STOPPED, 0",
            "S22, kv-v1 RUNNING, kv-v2 STOPPED, 0",
            "S23, kv-v1 RUNNING, kv-v2 RUNNING, 0",
            "S24, kv-v1 RUNNING, kv-v2 RUNNING, 0",
            "S25, kv-v1 RUNNING, kv-v2 RUNNING, 1",
            "S26, kv-v1 STOPPED, kv-v2 RUNNING, 1",
            "S27, kv-v2 STOPPED, kv-v2 RUNNING, 1",
            "S28, kv-v2 RUNNING, kv-v2 RUNNING, 1",
            "S29, kv-v2 RUNNING, kv-v2 RUNNING, 1"})
    void killedOrchestratorIsResumedAndTheDatabasesAreIntact(String step, String system0, String system1, int active)
            throws Exception {
        UpgradeDemo.DemoPair pair = demo.startPair("kill-" + step.toLowerCase(Locale.ROOT), 1 << 20);
        JobQueue jobs = services.get(JobQueue.class);
        try (Connection holder = superuser()) {
            long jobId;
            try {
                holdDoneOf(holder, step);
                Process orchestrator = startOrchestrator(pair.name(), step);
                try {
                    awaitOrchestratorHeld(holder, jobs, pair.name(), orchestrator, step);
                    jobId = jobs.liveJob(pair.name()).orElseThrow().id();
                } finally {
                    orchestrator.destroyForcibly().waitFor();
                }
            } finally {
                release(holder);
            }

            List<StepRecord> journalAtKill = jobs.journal(jobId);
            assertKilledIn(step, journalAtKill);
            assertEquals(List.of(system0, system1, "active " + active), platform(pair.name(), pair.members()),
                    "the platform shows " + step + "'s action done: system 0, system 1, the active system");
            assertTrue(jobs.job(jobId).orElseThrow().state().live(), "the killed job is still live");

            RollingUpgrade engine = services.get(RollingUpgrade.class);
            engine = engine.withSettings(UpgradeCommand.settings(DuplexConfig.resolve(List.of(config), List.of(config), Map.of(), new Properties()))
                    .withStaleAfter(Duration.ZERO));
            UpgradeReport report = engine.resume(jobId, UpgradeListener.NONE);

            assertEquals(JobState.SUCCEEDED, report.state(), report.error().orElse("") + "\n" + progress);
            assertResumedFromTheKilledStep(step, journalAtKill, jobs.journal(jobId));
            assertEquals(List.of("kv-v2 RUNNING", "kv-v2 RUNNING", "active 1"), platform(pair.name(), pair.members()));
            assertEquals(pair.before().sha256(), demo.checksumAfter(pair.name(), pair.before()),
                    "both members' databases hold what they held before the upgrade");
            assertTrue(report.switchoverGap().isPresent());
        } finally {
            demo.stopPair(pair.name());
        }
    }

    @Test
    void ctrlCStopsTheRunAtTheNextStepBoundaryAndTheCommandItNamesFinishesIt() throws Exception {
        UpgradeDemo.DemoPair pair = demo.startPair("ctrl-c", 1 << 20);
        JobQueue jobs = services.get(JobQueue.class);
        try (Connection holder = superuser()) {
            Process orchestrator;
            long jobId;
            try {
                holdDoneOf(holder, "S23");
                orchestrator = startOrchestrator(pair.name(), "ctrl-c");
                awaitOrchestratorHeld(holder, jobs, pair.name(), orchestrator, "S23");
                jobId = jobs.liveJob(pair.name()).orElseThrow().id();
                // The operator presses Ctrl-C while the S23/S24 boundary is written (S23's DONE goes with S24's
                // STARTED): S24 has begun by the time the write returns, so the run stops at the next boundary.
                assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(orchestrator.pid())).start().waitFor());
                Thread.sleep(500); // the handler runs on its own thread: let it note the request before the write returns
            } finally {
                letGo(holder);
            }
            assertTrue(orchestrator.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the orchestrator stops");
            String output = Files.readString(home.resolve("orchestrator-ctrl-c.log"));
            assertEquals(130, orchestrator.exitValue(), output);
            assertTrue(output.contains("stopped as asked after S24; nothing was rolled back"), output);
            assertTrue(output.contains("duplex upgrade resume " + jobId), output);
            assertTrue(!output.contains("SQLException") && !output.contains("pool is closed"), output);
            assertEquals(JobState.PENDING, jobs.job(jobId).orElseThrow().state(), "handed back, to be resumed");
            assertEquals("DONE", states(jobs.journal(jobId)).get("S24"));
            assertTrue(!states(jobs.journal(jobId)).containsKey("S25"), "nothing ran past the stop: no switchover");

            UpgradeReport report = services.get(RollingUpgrade.class).resume(jobId, UpgradeListener.NONE);

            assertEquals(JobState.SUCCEEDED, report.state(), report.error().orElse(""));
            assertEquals(pair.before().sha256(), demo.checksumAfter(pair.name(), pair.before()));
        } finally {
            demo.stopPair(pair.name());
        }
    }

    /**
     * The test's own superuser session on the embedded server: the trigger that holds a step is
     * DDL on a table the application role does not own (and may not change).
     */
    private Connection superuser() throws SQLException, IOException {
        Path db = DuplexConfig.resolve(List.of(config), List.of(config), Map.of(), new Properties()).home().resolve("db");
        String password = Files.readAllLines(db.resolve("superuser.password")).get(0);
        String url = services.database().status().location();
        return java.sql.DriverManager.getConnection(url, "postgres", password);
    }

    /**
     * Lets a live orchestrator's held DONE write go on, its backend kept: the lock goes first (the
     * held insert holds job_steps, which dropping the trigger would wait for: a deadlock), then
     * the trigger.
     */
    private static void letGo(Connection holder) throws SQLException {
        try (Statement sql = holder.createStatement()) {
            sql.execute("SELECT pg_advisory_unlock_all()");
            sql.execute("DROP TRIGGER IF EXISTS kill_test_hold ON job_steps");
        }
    }

    private Process startOrchestrator(String pair, String step) throws IOException {
        // Started by a non-interactive shell in the background (a CI runner, nohup &), this JVM and its children
        // inherit SIGINT ignored, and a JVM keeps it so: env resets it, as Ctrl-C at a terminal finds it.
        ProcessBuilder command = new ProcessBuilder("env", "--default-signal=INT", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.duplex.cli.Main", "--config", config.toString(),
                "upgrade", "run", pair, "--image", UpgradeDemo.IMAGE_V2, "--strategy", "link");
        // The developer's own DUPLEX_HOME or DUPLEX_DB_URL would point the orchestrator at another database.
        command.environment().keySet().removeIf(name -> name.startsWith("DUPLEX_"));
        return command
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("orchestrator-" + step + ".log").toFile())
                .start();
    }

    /**
     * Takes the advisory lock on {@code holder}'s session and installs a trigger that makes any
     * DONE write for {@code step} wait for it: the orchestrator then stops exactly between the
     * step's platform action and its journal line.
     */
    private static void holdDoneOf(Connection holder, String step) throws SQLException {
        try (Statement sql = holder.createStatement()) {
            sql.execute("SELECT pg_advisory_lock(" + HOLD_KEY + ")");
            sql.execute("""
                    CREATE OR REPLACE FUNCTION kill_test_hold() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        PERFORM pg_advisory_xact_lock(%d);
                        RETURN NEW;
                    END $$""".formatted(HOLD_KEY));
            sql.execute("DROP TRIGGER IF EXISTS kill_test_hold ON job_steps");
            sql.execute("CREATE TRIGGER kill_test_hold BEFORE INSERT ON job_steps FOR EACH ROW WHEN (NEW.state = 'DONE' AND NEW.step_id = '"
                    + step + "') EXECUTE FUNCTION kill_test_hold()");
        }
    }

    /** Returns once the orchestrator waits at the hold; fails fast if it ends or a step fails. */
    private void awaitOrchestratorHeld(Connection holder, JobQueue jobs, String pair, Process orchestrator, String step)
            throws SQLException, InterruptedException, IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!waitersOnHold(holder).isEmpty()) {
                return;
            }
            if (!orchestrator.isAlive()) {
                throw new AssertionError("the orchestrator ended (exit " + orchestrator.exitValue() + ") before " + step
                        + " finished its action: " + Files.readString(home.resolve("orchestrator-" + step + ".log")));
            }
            Optional<Job> job = jobs.liveJob(pair);
            if (job.isPresent()) {
                List<StepRecord> failed = jobs.journal(job.get().id()).stream().filter(r -> r.state() == StepState.FAILED).toList();
                if (!failed.isEmpty()) {
                    throw new AssertionError("a step failed before " + step + " could be killed: " + failed);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError(step + " did not reach its DONE write within 120 s");
    }

    private static List<Long> waitersOnHold(Connection holder) throws SQLException {
        var pids = new ArrayList<Long>();
        try (Statement sql = holder.createStatement();
                ResultSet rows = sql.executeQuery("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        + " AND classid = " + (HOLD_KEY >>> 32) + " AND objid = " + (HOLD_KEY & 0xFFFF_FFFFL)
                        + " AND objsubid = 1")) {
            while (rows.next()) {
                pids.add(rows.getLong(1));
            }
        }
        return pids;
    }

    /**
     * After the kill (or a failed wait): ends the dead orchestrator's backend while it still
     * waits, so its DONE write is rolled back as a crash mid-statement leaves it and can never
     * commit late; then removes the trigger and the lock so this process's resume, and the next
     * case, write the journal freely.
     */
    private static void release(Connection holder) throws SQLException, InterruptedException {
        try (Statement sql = holder.createStatement()) {
            List<Long> waiters = waitersOnHold(holder);
            for (long backend : waiters) {
                sql.execute("SELECT pg_terminate_backend(" + backend + ")");
            }
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            for (long backend : waiters) {
                while (true) {
                    try (ResultSet rows = sql.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + backend)) {
                        rows.next();
                        if (rows.getLong(1) == 0) {
                            break;
                        }
                    }
                    if (Instant.now().isAfter(deadline)) {
                        throw new AssertionError("the killed orchestrator's database backend " + backend + " did not end");
                    }
                    Thread.sleep(20);
                }
            }
            sql.execute("DROP TRIGGER IF EXISTS kill_test_hold ON job_steps");
            sql.execute("SELECT pg_advisory_unlock_all()");
        }
    }

    /** The journal at the kill: every step before {@code step} DONE, {@code step} STARTED and not ended, nothing after. */
    private static void assertKilledIn(String step, List<StepRecord> journal) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String id : STEPS.subList(0, STEPS.indexOf(step))) {
            expected.put(id, "DONE");
        }
        expected.put(step, "STARTED");
        assertEquals(expected, states(journal), "journal at the kill");
        StepRecord killed = journal.stream().filter(r -> r.stepId().equals(step)).findFirst().orElseThrow();
        assertTrue(killed.endedAt().isEmpty() && killed.outputs().isEmpty(), "the killed step never ended: " + killed);
    }

    /** After resume: all steps DONE; those DONE at the kill were skipped (their lines unchanged), the killed one ran again. */
    private static void assertResumedFromTheKilledStep(String step, List<StepRecord> atKill, List<StepRecord> after) {
        Map<String, String> allDone = STEPS.stream().collect(Collectors.toMap(s -> s, s -> "DONE", (a, b) -> a, LinkedHashMap::new));
        assertEquals(allDone, states(after), "journal after resume");
        for (StepRecord before : atKill) {
            StepRecord now = after.stream().filter(r -> r.stepId().equals(before.stepId())).findFirst().orElseThrow();
            if (before.state() == StepState.DONE) {
                assertEquals(before, now, before.stepId() + " was done at the kill and must not run again");
            } else {
                assertTrue(now.startedAt().isAfter(before.startedAt()) && now.outputs().containsKey("elapsed-ms"),
                        step + " ran again, to its end: " + now);
            }
        }
    }

    private static Map<String, String> states(List<StepRecord> journal) {
        Map<String, String> states = new LinkedHashMap<>();
        journal.stream().filter(r -> r.isStep() && r.stepId().startsWith("S")).forEach(r -> states.put(r.stepId(), r.state().name()));
        return states;
    }

    /** What the platform shows: each member's image and VM state (system 0, system 1), and the active system. */
    private List<String> platform(String pair, List<String> members) {
        Inventory inventory = services.get(Inventory.class);
        HypervisorDriver driver = services.get(EndpointConnections.class).driver(UpgradeDemo.ENDPOINT);
        var shown = new ArrayList<String>();
        for (String member : members) {
            VmRecord vm = inventory.vm(member).orElseThrow();
            shown.add(vm.image() + " " + driver.state(new VmRef(vm.driverRef(), vm.name())));
        }
        shown.add("active " + inventory.pair(pair).orElseThrow().activeSystem());
        return shown;
    }
}
