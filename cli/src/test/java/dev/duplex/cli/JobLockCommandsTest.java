package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 9 finding 6 and issue 10 defect 2 through the real CLI, the local driver and the embedded
 * PostgreSQL: a VM held by a live job is not started or stopped behind the job's back (unless
 * forced, which is audited), and `upgrade vm` refuses a pair member.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobLockCommandsTest {
    private Path dir;
    private String config;
    private Services services;

    @BeforeAll
    void start() throws IOException {
        dir = TestHome.create("duplex-cli-joblocks");
        Path file = dir.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\n"); // the test deletes the home: the server stops with its last user
        config = file.toString();
        services = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
        for (String version : List.of("1.0", "2.0")) {
            Path image = dir.resolve("image-" + version);
            Files.createDirectories(image);
            Files.writeString(image.resolve("duplex-image.properties"), "version=" + version + "\ncommand=while true; do sleep 1; done\n");
        }
        ok("endpoint", "add", "lab", "--driver", "local");
        ok("image", "register", "img-1", "--endpoint", "lab", "--version", "1.0", "--source", dir.resolve("image-1.0").toString());
        ok("image", "register", "img-2", "--endpoint", "lab", "--version", "2.0", "--source", dir.resolve("image-2.0").toString());
        for (String vm : List.of("kv-0", "kv-1", "solo")) {
            ok("volume", "create", "db-" + vm, "--endpoint", "lab", "--size", "8MiB");
            ok("vm", "create", vm, "--endpoint", "lab", "--image", "img-1", "--link", "db-" + vm + ":db");
        }
        ok("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1");
    }

    @AfterAll
    void stop() {
        for (String vm : List.of("kv-0", "kv-1", "solo")) {
            run("vm", "stop", vm, "--force");
        }
        services.close();
    }

    @Test
    void aMemberOfAPairInAJobIsNeitherStoppedNorStartedUnlessForcedAndAForcedStopIsAudited() {
        ok("vm", "start", "kv-0");
        Job upgrade = services.get(JobQueue.class).create("upgrade", "kv", "ops@host", Map.of());
        try {
            String refused = fail("vm", "stop", "kv-0");
            assertEquals("duplex: 'kv-0' is in live upgrade job #" + upgrade.id() + " (PENDING) of 'kv': wait for it, or run `duplex"
                    + " upgrade resume " + upgrade.id() + "`; `duplex vm stop kv-0 --force` does it anyway (audited)", refused.strip());
            assertTrue(state("kv-0").equals("RUNNING"), "the refused stop left the member serving");
            String startRefused = fail("vm", "start", "kv-1");
            assertTrue(startRefused.contains("'kv-1' is in live upgrade job #" + upgrade.id())
                    && startRefused.contains("`duplex vm start kv-1 --force`"), startRefused);
            assertEquals("STOPPED", state("kv-1"));

            ok("vm", "stop", "kv-0", "--force");
            assertEquals("STOPPED", state("kv-0"));
            AuditEntry forced = services.get(AuditLog.class).recent(20).stream().filter(e -> e.object().equals("vm/kv-0"))
                    .findFirst().orElseThrow();
            assertEquals("vm.stop.forced", forced.action());
            assertTrue(forced.afterJson().orElseThrow().replace(" ", "").contains("\"live_job\":" + upgrade.id()), forced.afterJson().toString());
        } finally {
            services.get(JobQueue.class).finish(upgrade.id(), JobState.FAILED, Optional.of("test over"));
        }
        ok("vm", "start", "kv-1");
        ok("vm", "stop", "kv-1");
        assertEquals("vm.stop", services.get(AuditLog.class).recent(1).get(0).action(), "no job, an ordinary stop");
    }

    @Test
    void upgradeVmRefusesAPairMemberNamingThePairAndItsUpgrade() {
        ok("vm", "start", "kv-0");
        ok("vm", "start", "kv-1");
        try {
            for (String member : List.of("kv-0", "kv-1")) {
                String refused = fail("upgrade", "vm", member, "--image", "img-2");
                assertTrue(refused.contains("'" + member + "' is a member of pair 'kv'") && refused.contains("`duplex upgrade run kv`"),
                        refused);
                assertTrue(fail("upgrade", "vm", member, "--image", "img-2", "--dry-run").contains("pair 'kv'"));
            }
            assertTrue(ok("vm", "list").lines().filter(l -> l.startsWith("kv-")).allMatch(l -> l.contains("img-1") && l.contains("RUNNING")),
                    "both members still run the old image");
            assertEquals(List.of(), services.get(JobQueue.class).jobs("kv-0"));
        } finally {
            ok("vm", "stop", "kv-0");
            ok("vm", "stop", "kv-1");
        }
    }

    @Test
    void aSecondUpgradeOfAVmWhoseUpgradeIsInFlightIsRefusedNamingIt() {
        ok("vm", "start", "solo");
        // The first `upgrade vm solo` is in flight (its job holds the VM) when the second one starts.
        Job first = services.get(JobQueue.class).create("upgrade-vm", "solo", "ops@host", Map.of("members", "1"));
        services.get(JobQueue.class).claim(first.id(), "other-node", java.time.Duration.ofMinutes(5)).orElseThrow();
        try {
            String refused = fail("upgrade", "vm", "solo", "--image", "img-2");
            assertEquals("duplex: 'solo' is in live upgrade-vm job #" + first.id() + " (RUNNING): wait for it, or run `duplex upgrade"
                    + " resume " + first.id() + "`", refused.strip());
            assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("solo ") && l.contains("img-1") && l.contains("RUNNING")));
            assertTrue(fail("vm", "stop", "solo").contains("job #" + first.id()));
        } finally {
            services.get(JobQueue.class).finish(first.id(), JobState.FAILED, Optional.of("test over"));
        }
        String upgraded = ok("upgrade", "vm", "solo", "--image", "img-2", "--output", "json");
        assertTrue(upgraded.contains("\"state\" : \"SUCCEEDED\""), upgraded);
        assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("solo ") && l.contains("img-2")));
        ok("vm", "stop", "solo");
    }

    @Test
    void aJobThatEndsWithoutReachingItsGoalExitsThreeAndSoDoesItsStatus() throws IOException {
        Path broken = Files.createDirectories(dir.resolve("image-broken"));
        Files.writeString(broken.resolve("duplex-image.properties"), "version=9.0\ncommand=echo 'cannot bind' >&2; exit 3\n");
        ok("image", "register", "img-broken", "--endpoint", "lab", "--version", "9.0", "--source", broken.toString());
        ok("volume", "create", "db-exit", "--endpoint", "lab", "--size", "8MiB");
        ok("vm", "create", "exit-vm", "--endpoint", "lab", "--image", "img-1", "--link", "db-exit:db");
        ok("vm", "start", "exit-vm");
        try {
            CliRun upgraded = run("upgrade", "vm", "exit-vm", "--image", "img-broken", "--output", "json");
            assertEquals(3, upgraded.exitCode(), "the job ran and did not reach its goal: " + upgraded);
            long job = services.get(JobQueue.class).jobs("exit-vm").get(0).id();
            CliRun status = run("upgrade", "status", Long.toString(job));
            assertEquals(3, status.exitCode(), status.toString());
            CliRun watched = run("upgrade", "status", Long.toString(job), "--watch");
            assertEquals(3, watched.exitCode(), "--watch exits as status does: " + watched);
            assertTrue(watched.out().lines().anyMatch(l -> l.matches("\\s*\\d+\\.\\d{3}s  S11 .*")), "the step lines of upgrade run: " + watched);
            assertTrue(watched.out().lines().anyMatch(l -> l.matches("\\s*\\d+\\.\\d{3}s  S1\\d +FAILED after .*")), watched.toString());
            assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("exit-vm ") && l.contains("img-1") && l.contains("RUNNING")),
                    "the VM is back on its old image");
        } finally {
            run("vm", "stop", "exit-vm", "--force");
        }
        CliRun usage = run("upgrade", "status");
        assertEquals(2, usage.exitCode(), usage.toString());
        String help = run("--help").out();
        assertTrue(help.contains("Exit codes: 0 done") && help.contains("130 interrupted"), help);
    }

    @Test
    void upgradingToTheImageAlreadyRunningHasNothingToDoAndDryRunTouchesNothing() {
        String plan = ok("upgrade", "plan", "kv", "--image", "img-1");
        assertEquals("Nothing to do: both members of pair kv (kv-0, kv-1) already run image img-1; no job was created.", plan.strip());
        assertTrue(ok("upgrade", "run", "kv", "--image", "img-1").startsWith("Nothing to do:"));
        assertTrue(ok("upgrade", "vm", "solo", "--image", ok("vm", "list").lines().filter(l -> l.startsWith("solo "))
                .map(l -> l.contains("img-2") ? "img-2" : "img-1").findFirst().orElseThrow()).startsWith("Nothing to do: VM solo"));
        assertTrue(ok("upgrade", "run", "kv", "--image", "img-1", "--output", "json").contains("\"nothing_to_do\" : true"));

        // This pair has no role controller, so its plan is refused; the dry run says exactly what the plan says.
        CliRun plan2 = run("upgrade", "plan", "kv", "--image", "img-2");
        CliRun dryRun = run("upgrade", "run", "kv", "--image", "img-2", "--dry-run");
        assertEquals(plan2, dryRun);
        assertTrue(dryRun.err().startsWith("duplex: Pair 'kv' has unusable role controller settings: the role controller settings have no"),
                dryRun.err());
        assertEquals(List.of(), services.get(JobQueue.class).jobs("kv"), "a dry run creates no job");
        assertTrue(ok("vm", "list").lines().filter(l -> l.startsWith("kv-")).allMatch(l -> l.contains("img-1")));
    }

    private String state(String vm) {
        String line = ok("vm", "list").lines().filter(l -> l.startsWith(vm + " ")).findFirst().orElseThrow();
        return line.contains("RUNNING") ? "RUNNING" : line.contains("STOPPED") ? "STOPPED" : line;
    }

    private String ok(String... args) {
        CliRun result = run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + "\nstdout: " + result.out() + "\nstderr: " + result.err());
        return result.out();
    }

    private String fail(String... args) {
        CliRun result = run(args);
        assertEquals(1, result.exitCode(), String.join(" ", args) + " should fail\nstdout: " + result.out() + "\nstderr: " + result.err());
        assertEquals(1, result.err().lines().count(), "one line: " + result.err());
        assertTrue(result.err().startsWith("duplex: "), result.err());
        return result.err();
    }

    private CliRun run(String... args) {
        return CliRun.withConfig(config, args);
    }

}
