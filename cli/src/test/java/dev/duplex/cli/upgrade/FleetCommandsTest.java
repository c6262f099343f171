package dev.duplex.cli.upgrade;

import dev.duplex.cli.TestHome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.cli.CliRun;
import dev.duplex.cli.Services;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.fleet.FleetJob;
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
 * Labels and fleet plans through the real CLI, the local driver and the embedded PostgreSQL: a
 * pair whose members are on two endpoints, selection by label, name and endpoint, and what is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetCommandsTest {
    private Path dir;
    private String config;
    private Services services;

    @BeforeAll
    void start() throws IOException {
        dir = TestHome.create("duplex-cli-fleet");
        Path file = dir.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\n");
        config = file.toString();
        services = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
        for (String version : List.of("1.0", "2.0")) {
            Path image = dir.resolve("image-" + version);
            Files.createDirectories(image);
            Files.writeString(image.resolve("duplex-image.properties"), "version=" + version + "\ncommand=while true; do sleep 1; done\n");
        }
        ok("endpoint", "add", "lab", "--driver", "local");
        ok("endpoint", "add", "lab2", "--driver", "local");
        ok("image", "register", "img-1", "--endpoint", "lab", "--version", "1.0", "--source", dir.resolve("image-1.0").toString());
        ok("image", "register", "img-1b", "--endpoint", "lab2", "--version", "1.0", "--source", dir.resolve("image-1.0").toString());
        ok("image", "register", "img-2", "--endpoint", "lab", "--version", "2.0", "--source", dir.resolve("image-2.0").toString());
        for (String[] vm : new String[][] {{"kv-0", "lab", "img-1"}, {"kv-1", "lab2", "img-1b"}, {"web-0", "lab", "img-1"}, {"web-1", "lab", "img-1"}}) {
            ok("volume", "create", "db-" + vm[0], "--endpoint", vm[1], "--size", "1MiB");
            ok("vm", "create", vm[0], "--endpoint", vm[1], "--image", vm[2], "--link", "db-" + vm[0] + ":db");
        }
        ok("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--label", "tier=db", "--label", "site=fra");
        ok("pair", "create", "web", "--system0", "web-0", "--system1", "web-1", "--label", "tier=web");
    }

    @AfterAll
    void stop() {
        services.close();
    }

    @Test
    void labelsAreShownSetAndRemoved() {
        assertTrue(ok("pair", "show", "kv", "--output", "json").replaceAll("\\s+", "").contains("\"labels\":{\"site\":\"fra\",\"tier\":\"db\"}"));
        assertTrue(ok("pair", "list").lines().anyMatch(l -> l.startsWith("kv ") && l.endsWith("site=fra, tier=db")), ok("pair", "list"));

        assertEquals("Pair web labels: site=ber,tier=web", ok("pair", "label", "web", "site=ber").strip());
        assertEquals("Pair web labels: tier=web", ok("pair", "label", "web", "site-").strip());
    }

    @Test
    void aDryRunListsTheWavesWithEachMembersEndpointAndDriverAndSelectsByLabelNameAndEndpoint() {
        String plan = ok("upgrade", "fleet", "--image", "img-2", "--selector", "tier=db", "--dry-run");
        assertTrue(plan.startsWith("Fleet upgrade to img-2 (labels tier=db): 1 pairs in 1 waves"), plan);
        assertTrue(plan.lines().anyMatch(l -> l.matches("1\\s+kv\\s+kv-0\\s+lab \\(local\\)\\s+kv-1\\s+lab2 \\(local\\)\\s+unknown")), plan);
        assertTrue(plan.contains("Predicted total: unknown"), plan);
        assertFalse(plan.contains("web"), plan);

        String json = ok("upgrade", "fleet", "--image", "img-2", "--pairs", "*", "--max-in-flight", "1", "--dry-run", "--output", "json")
                .replaceAll("\\s+", "");
        assertTrue(json.contains("\"wave\":1,\"predicted_ms\":null,\"pairs\":[{\"pair\":\"kv\""), json);
        assertTrue(json.contains("\"wave\":2,\"predicted_ms\":null,\"pairs\":[{\"pair\":\"web\""), json);

        assertTrue(ok("upgrade", "fleet", "--image", "img-2", "--pairs", "w?b", "--dry-run").contains("1 pairs in 1 waves"));
        String onLab = ok("upgrade", "fleet", "--image", "img-2", "--endpoint", "lab", "--dry-run");
        assertTrue(onLab.contains("web") && !onLab.lines().anyMatch(l -> l.matches("1\\s+kv\\s.*")), "kv has a member on lab2: " + onLab);
    }

    @Test
    void hostileOrWrongInputsAreRefusedWithOneLineAndChangeNothing() {
        List<List<String>> refused = List.of(
                List.of("upgrade", "fleet", "--image", "img-2", "--selector", "tier=nosuch", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--selector", "tier", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--selector", "Tier=db", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--selector", "tier=db,tier=web", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--selector", "", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--selector", "tier=db,", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--selector", "tier=d\u001b[2Jb", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--pairs", " ", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--max-in-flight", "0", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--max-in-flight", "1001", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--max-in-flight", "2", "--canary", "3", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--max-failed-percent", "101", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "img-2", "--max-failed-percent", "-1", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "nosuch", "--dry-run"),
                List.of("upgrade", "fleet", "--image", "../../etc", "--dry-run"),
                List.of("pair", "label", "kv", "Tier=db"),
                List.of("pair", "label", "kv", "tier=db;rm -rf /"),
                List.of("pair", "label", "kv", "tier=" + "a".repeat(64)),
                List.of("pair", "label", "kv", "tier=line\nbreak"),
                List.of("pair", "label", "kv", "tier="),
                List.of("pair", "label", "kv", "=db"),
                List.of("pair", "label", "kv", "tier"),
                List.of("pair", "label", "kv", "tier=db", "tier-"),
                List.of("pair", "label", "kv", "tier=db", "tier=web"),
                List.of("pair", "label", "nosuch", "tier=db"),
                List.of("pair", "create", "bad", "--system0", "web-0", "--system1", "kv-0", "--label", "tier=$(id)"));
        for (List<String> args : refused) {
            fail(args.toArray(String[]::new));
        }
        assertTrue(ok("pair", "show", "kv", "--output", "json").replaceAll("\\s+", "").contains("\"labels\":{\"site\":\"fra\",\"tier\":\"db\"}"),
                "kv's labels are as they were");
        assertEquals(1, run("pair", "show", "bad").exitCode(), "a pair refused for its label was not created");
        String escaped = fail("upgrade", "fleet", "--image", "img-2", "--selector", "tier=d\u001b[2Jb", "--dry-run");
        assertFalse(escaped.contains("\u001b"), "the refused input is shown escaped: " + escaped);
        assertTrue(fail("upgrade", "fleet", "--image", "img-2", "--selector", "tier=nosuch", "--dry-run")
                .contains("matches no pair; 'duplex pair list' shows the pairs and their labels"));
    }

    @Test
    void aFleetJobIsShownByStatusRefusedForResumeOnceEndedAndRolledBackWaveByWave() {
        JobQueue jobs = services.get(JobQueue.class);
        Job fleet = jobs.create(FleetJob.KIND, FleetJob.target("img-2"), "ops@host",
                Map.of("image", "img-2", "strategy", "link", "selection", "every pair", "max-in-flight", "1", "max-failed-percent", "0",
                        "waves", "[[\"kv\"],[\"web\"]]"));
        String id = Long.toString(fleet.id());

        String status = ok("upgrade", "status", id);
        assertTrue(status.startsWith("Fleet job #" + id + " to img-2 (every pair): PENDING"), status);
        assertTrue(status.lines().anyMatch(l -> l.matches("2\\s+web\\s+-\\s+not started")), status);
        assertTrue(fail("upgrade", "rollback", id).contains("is still PENDING"));

        jobs.finish(fleet.id(), JobState.FAILED, Optional.of("test"));
        assertTrue(fail("upgrade", "resume", id).contains("is FAILED; there is nothing to resume"));
        assertTrue(fail("upgrade", "rollback", id, "--wave", "3").contains("has waves 1 to 2, not 3"));
        assertTrue(ok("upgrade", "rollback", id, "--wave", "2").contains("0 pair(s) rolled back, 1 on their old images already"));
        assertEquals(3, run("upgrade", "status", id).exitCode(), "a fleet that failed exits 3");
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
