package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Show and delete of every inventory object, and the job history, through the real CLI on the local driver and embedded PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LifecycleCommandsTest {
    private Path dir;
    private String config;
    private Services services;

    @BeforeAll
    void start() throws IOException {
        dir = TestHome.create("duplex-cli-lifecycle");
        Path file = dir.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\n"); // the server stops with its last user, not 10 minutes after the test
        config = file.toString();
        services = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
        Path image = dir.resolve("image");
        Files.createDirectories(image);
        Files.writeString(image.resolve("duplex-image.properties"), "version=1.0\ncommand=while true; do sleep 1; done\n");
    }

    @AfterAll
    void stop() {
        services.close();
    }

    @Test
    void everyObjectIsShownAndDeletedOnlyWhenNothingUsesIt() {
        ok("endpoint", "add", "lab", "--driver", "local");
        ok("image", "register", "img-1", "--endpoint", "lab", "--version", "1.0", "--source", dir.resolve("image").toString());
        ok("volume", "create", "db-0", "--endpoint", "lab", "--size", "1MiB");
        ok("volume", "create", "db-1", "--endpoint", "lab", "--size", "1MiB");
        ok("volume", "create", "spare", "--endpoint", "lab", "--size", "1MiB");
        ok("vm", "create", "kv-0", "--endpoint", "lab", "--image", "img-1", "--link", "db-0:db");
        ok("vm", "create", "kv-1", "--endpoint", "lab", "--image", "img-1", "--link", "db-1:db");
        assertEquals("duplex: Pair 'kv': unknown resync gate setting 'timout-ms'; the settings are timeout-ms, poll-ms, health-timeout-ms,"
                + " switchover-settle-ms", fail("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--resync", "timout-ms=5000"));
        assertEquals("duplex: Pair 'kv': resync gate setting 'poll-ms' is a whole number of milliseconds up to 86400000 (a day), such as"
                + " poll-ms=5000, not '2s'", fail("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--resync", "poll-ms=2s"));
        assertTrue(fail("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--resync", "switchover-settle-ms=999999999999")
                .contains("up to 86400000 (a day)"), "a wait of 31 years is refused");
        ok("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--resync", "switchover-settle-ms=20000");
        assertTrue(ok("pair", "show", "kv", "--output", "json").contains("\"switchover-settle-ms\" : \"20000\""));

        assertTrue(ok("endpoint", "show", "lab").contains("driver:"));
        assertTrue(ok("image", "show", "img-1", "--output", "json").contains("\"version\" : \"1.0\""));
        assertTrue(ok("volume", "show", "db-0").lines().anyMatch(l -> l.startsWith("linked by:") && l.endsWith("kv-0")));
        assertTrue(ok("vm", "show", "kv-0").lines().anyMatch(l -> l.startsWith("pair:") && l.endsWith("kv")));

        assertEquals("duplex: Endpoint 'lab' is still used by images 'img-1', volumes 'db-0', 'db-1', 'spare', VMs 'kv-0', 'kv-1';"
                + " delete those first", fail("endpoint", "remove", "lab"));
        assertEquals("duplex: Image 'img-1' is used by VM 'kv-0', 'kv-1'; delete or upgrade those VMs first", fail("image", "delete", "img-1"));
        assertEquals("duplex: Volume 'db-0' is linked by VM 'kv-0'; delete that VM first (its volumes stay)", fail("volume", "delete", "db-0"));
        assertEquals("duplex: VM 'kv-0' is a member of pair 'kv'; delete the pair first (duplex pair delete kv), its VMs stay",
                fail("vm", "delete", "kv-0"));

        Job failover = services.get(JobQueue.class).create("failover", "kv", "ops@host", Map.of());
        assertTrue(fail("pair", "delete", "kv").startsWith("duplex: 'kv' is in live failover job #" + failover.id()));
        services.get(JobQueue.class).claim(failover.id(), "node-a", Duration.ofSeconds(30)).orElseThrow();
        services.get(JobQueue.class).stepStarted(failover.id(), "fence");
        services.get(JobQueue.class).stepDone(failover.id(), "fence", Map.of("confirmed", "true"));
        services.get(JobQueue.class).finish(failover.id(), JobState.SUCCEEDED, Optional.empty());

        String jobs = ok("jobs", "list");
        assertTrue(jobs.lines().anyMatch(l -> l.startsWith(failover.id() + " ") && l.contains("failover") && l.contains("SUCCEEDED")), jobs);
        String shown = ok("jobs", "show", String.valueOf(failover.id()));
        assertTrue(shown.lines().anyMatch(l -> l.startsWith("finished at:") && l.contains("T")), shown);
        assertTrue(shown.lines().anyMatch(l -> l.startsWith("fence") && l.contains("DONE")), shown);
        assertTrue(ok("jobs", "show", String.valueOf(failover.id()), "--output", "json").contains("\"step\" : \"fence\""));
        assertEquals("duplex: No job #424242; `duplex jobs list` shows the jobs there are", fail("jobs", "show", "424242"));

        ok("pair", "delete", "kv");
        ok("vm", "delete", "kv-0");
        assertTrue(fail("volume", "delete", "db-0").contains("may hold data"));
        assertTrue(ok("volume", "delete", "db-0", "--force").startsWith("Volume db-0 deleted with the data it held\nname:"));
        assertTrue(ok("volume", "delete", "spare").startsWith("Volume spare deleted\nname:"), "what was deleted, then its view");
        assertTrue(ok("jobs", "list").contains("failover"), "the deleted pair's jobs stay in the history");
        ok("vm", "delete", "kv-1");
        ok("volume", "delete", "db-1", "--force");
        ok("image", "delete", "img-1");
        ok("endpoint", "remove", "lab");
        assertEquals("(none)\n", ok("vm", "list"));
        assertEquals("(none)\n", ok("endpoint", "list"));
    }

    @Test
    void hostileNamesAndIdsAreRefusedWithOneEscapedLineAndChangeNothing() {
        List<String[]> refused = List.of(
                new String[] {"volume", "delete", "db\n0", "--force"},
                new String[] {"vm", "delete", "\u001b]0;owned\u0007"},
                new String[] {"pair", "delete", "../../etc"},
                new String[] {"image", "delete", "img' OR '1'='1"},
                new String[] {"endpoint", "remove", "\u202eevil"},
                new String[] {"vm", "show", "x\ry"},
                new String[] {"volume", "show", ""},
                new String[] {"jobs", "list", "--limit", "0"},
                new String[] {"jobs", "list", "--limit", "-5"},
                new String[] {"jobs", "show", "-1"});
        for (String[] args : refused) {
            String line = fail(args);
            assertTrue(line.startsWith("duplex: ") && line.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == 0x202e), line);
        }
        for (String[] args : List.of(new String[] {"jobs", "show", "abc"}, new String[] {"jobs", "list", "--limit", "99999999999"},
                new String[] {"jobs", "show", "1; DROP TABLE jobs"})) {
            assertEquals(2, CliRun.withConfig(config, args).exitCode(), String.join(" ", args));
        }
        ok("jobs", "list");
    }

    private String ok(String... args) {
        CliRun result = CliRun.withConfig(config, args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + "\n" + result);
        return result.out();
    }

    private String fail(String... args) {
        CliRun result = CliRun.withConfig(config, args);
        assertEquals(1, result.exitCode(), String.join(" ", args) + " should fail\n" + result);
        assertEquals(1, result.err().lines().count(), "one line: " + result.err());
        return result.err().strip();
    }
}
