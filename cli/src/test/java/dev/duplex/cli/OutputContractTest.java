package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.example.kv.ImageFolders;
import dev.duplex.example.kv.KvServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/**
 * The output contract (docs/output.md): every command that prints something, run through the real
 * CLI on the local driver and the embedded PostgreSQL with {@code -o json}, matches the JSON Schema
 * of its kind; {@code -o yaml} of the same command parses (Jackson YAML) to the same tree. The
 * commands are the command tree's own: a command that takes {@code --output} and is not run here
 * fails the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutputContractTest {
    /** Commands that print no object: help texts, and the server, a foreground daemon that logs (docs/output.md). */
    private static final Set<String> NO_OBJECT = Set.of("help", "server");

    private final ObjectMapper json = new ObjectMapper();
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Set<String> covered = new TreeSet<>();
    private Path dir;
    private String config;
    private Services keepDatabaseUp;
    private final List<String> startedVms = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        dir = TestHome.create("duplex-cli-output");
        Path file = dir.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\n");
        config = file.toString();
        keepDatabaseUp = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
        Path kvJar = Path.of(KvServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ImageFolders.write(kvJar, dir.resolve("images"));
    }

    @AfterAll
    void stop() {
        if (keepDatabaseUp != null) {
            stopVms();
            keepDatabaseUp.close();
        }
    }

    private void stopVms() {
        for (String vm : startedVms) {
            CliRun.withConfig(config, "vm", "stop", vm, "--force");
        }
        startedVms.clear();
    }

    @Test
    void everyCommandThatPrintsMatchesItsSchemaAndYamlIsTheSameTree() throws Exception {
        Path v1 = dir.resolve("images").resolve("v1");
        Path v2 = dir.resolve("images").resolve("v2");
        both("driver[]", "drivers");

        changed("endpoint", "endpoint", "add", "lab", "--driver", "local");
        changed("endpoint", "endpoint", "add", "spare", "--driver", "local");
        both("endpoint[]", "endpoint", "list");
        both("endpoint", "endpoint", "show", "lab");

        changed("image", "image", "register", "img-1", "--endpoint", "lab", "--version", "v1", "--source", v1.toString());
        changed("image", "image", "register", "img-2", "--endpoint", "lab", "--version", "v2", "--source", v2.toString());
        changed("image", "image", "register", "img-x", "--endpoint", "lab", "--version", "v1", "--source", v1.toString());
        both("image[]", "image", "list");
        both("image", "image", "show", "img-1");

        for (String volume : List.of("db-0", "db-1", "db-c0", "db-c1", "db-solo", "db-x")) {
            changed("volume", "volume", "create", volume, "--endpoint", "lab", "--size", "4MiB");
        }
        both("volume[]", "volume", "list");
        both("volume", "volume", "show", "db-0");

        int port0 = freePort();
        int port1 = freePort();
        String token = "out-" + Long.toHexString(new Random().nextLong());
        changed("vm", "vm", "create", "kvc-0", "--endpoint", "lab", "--image", "img-2", "--link", "db-c0:db",
                "-p", "env.KV_PORT=" + port0, "-p", "env.KV_ROLE=ACT", "-p", "env.ROLE_TOKEN=" + token);
        changed("vm", "vm", "create", "kvc-1", "--endpoint", "lab", "--image", "img-2", "--link", "db-c1:db",
                "-p", "env.KV_PORT=" + port1, "-p", "env.ROLE_TOKEN=" + token);
        changed("vm", "vm", "create", "solo", "--endpoint", "lab", "--image", "img-1", "--link", "db-solo:db",
                "-p", "env.KV_PORT=" + freePort(), "-p", "env.KV_ROLE=ACT");
        changed("vm", "vm", "create", "kv-0", "--endpoint", "lab", "--image", "img-1", "--link", "db-0:db",
                "-p", "env.KV_PORT=" + freePort(), "-p", "env.KV_ROLE=ACT");
        changed("vm", "vm", "create", "kv-1", "--endpoint", "lab", "--image", "img-1", "--link", "db-1:db",
                "-p", "env.KV_PORT=" + freePort());
        changed("vm", "vm", "create", "gone", "--endpoint", "lab", "--image", "img-x", "--link", "db-x:db:copy",
                "-p", "env.KV_PORT=" + freePort(), "-p", "env.KV_ROLE=ACT");
        JsonNode started = changed("vm", "vm", "start", "kvc-0");
        assertEquals("RUNNING", started.get("state").asText(), started.toString());
        assertTrue(started.get("boot").get("copy_ms").isIntegralNumber(), started.toString());
        startedVms.add("kvc-0");
        changed("vm", "vm", "start", "solo");
        startedVms.add("solo");
        both("vm[]", "vm", "list");
        JsonNode vm = both("vm", "vm", "show", "gone");
        assertEquals("copy", vm.get("links").get(0).get("mode").asText(), vm.toString());
        startedVms.add("gone");
        JsonNode copiedIn = changed("vm", "vm", "start", "gone");
        assertEquals("RUNNING", copiedIn.get("state").asText(), copiedIn.toString());
        assertEquals("STOPPED", changed("vm", "vm", "stop", "gone").get("state").asText());

        JsonNode pair = changed("pair", "pair", "create", "kvc", "--system0", "kvc-0", "--system1", "kvc-1", "--standby", "cold",
                "--role-controller", "type=http", "--role-controller", "member.kvc-0.port=" + port0,
                "--role-controller", "member.kvc-1.port=" + port1);
        assertEquals("kvc-1", pair.get("standby_vm").asText(), "standby_vm is a VM name");
        assertEquals("cold", pair.get("standby_mode").asText(), "standby_mode is hot or cold");
        // a hot pair whose application answers through commands: kv-0 active, always in sync
        // roles follow the switchovers (the fleet below upgrades and rolls back this pair): kv-0 ACT until one happens
        Path roleFiles = Files.createDirectories(dir.resolve("roles"));
        Path roles = script("roles", "f=" + roleFiles + "/$2; if [ -f \"$f\" ]; then cat \"$f\"; elif [ \"$2\" = kv-0 ]; then echo ACT; else echo SBY; fi");
        Path inSync = script("sync", "echo in-sync");
        startedVms.add("kv-0");
        startedVms.add("kv-1");
        changed("vm", "vm", "start", "kv-0");
        changed("vm", "vm", "start", "kv-1");
        changed("pair", "pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--role-controller", "type=exec",
                "--role-controller", "roles-command=" + roles, "--role-controller", "switchover-command=" + script("switch", "echo \"$3\" > " + roleFiles + "/$2"),
                "--role-controller", "sync-command=" + inSync);
        both("pair[]", "pair", "list");
        both("pair", "pair", "show", "kvc");
        both("pair", "pair", "label", "kv", "tier=db");
        JsonNode fleet = both("fleet_plan", "upgrade", "fleet", "--image", "img-2", "--pairs", "kv*", "--dry-run");
        assertTrue(fleet.get("waves").size() >= 1 && fleet.get("waves").get(0).get("pairs").get(0).get("members").size() == 2, fleet.toString());

        // upgrades: a plan, nothing to do, a single VM's upgrade, its status, a dry-run rollback, the rollback
        both("upgrade_plan", "upgrade", "plan", "kv", "--image", "img-2");
        both("upgrade_nothing", "upgrade", "plan", "kv", "--image", "img-1");
        both("upgrade_nothing", "upgrade", "run", "kv", "--image", "img-1");
        both("upgrade_plan", "upgrade", "run", "kv", "--image", "img-2", "--dry-run");
        both("upgrade_plan", "upgrade", "vm", "solo", "--image", "img-2", "--dry-run");
        JsonNode upgraded = changed("upgrade_report", "upgrade", "vm", "solo", "--image", "img-2");
        assertEquals("SUCCEEDED", upgraded.get("state").asText(), upgraded.toString());
        assertTrue(upgraded.get("downtime_ms").isIntegralNumber() && upgraded.get("total_ms").isIntegralNumber(), upgraded.toString());
        String job = upgraded.get("job_id").asText();
        both("upgrade_report", "upgrade", "status", job);
        both("upgrade_report", "upgrade", "status", "solo");
        both("upgrade_report", "upgrade", "status", job, "--watch");
        JsonNode rollbackPlan = both("upgrade_plan", "upgrade", "rollback", job, "--dry-run");
        assertTrue(rollbackPlan.get("steps").size() > 1 && rollbackPlan.get("steps").get(0).get("step").asText().equals("R0"),
                rollbackPlan.toString());
        assertEquals("img-2", both("vm", "vm", "show", "solo").get("image").asText(), "the dry run touched nothing");
        JsonNode rolledBack = changed("upgrade_report", "upgrade", "rollback", job);
        assertEquals("rollback", rolledBack.get("kind").asText(), rolledBack.toString());
        assertEquals("SUCCEEDED", rolledBack.get("state").asText(), "a rollback job that reached its goal: " + rolledBack);
        assertEquals("img-1", both("vm", "vm", "show", "solo").get("image").asText(), "solo is back on its old image");
        // a job whose process died: its owner never beats again, so resume --force takes it over
        var jobs = keepDatabaseUp.get(dev.duplex.engine.job.JobQueue.class);
        var orphan = jobs.create("upgrade-vm", "solo", "ops@gone", jobs.job(Long.parseLong(job)).orElseThrow().parameters());
        jobs.claim(orphan.id(), "dead-node", java.time.Duration.ofSeconds(30)).orElseThrow();
        JsonNode resumed = changed("upgrade_report", "upgrade", "resume", Long.toString(orphan.id()), "--force");
        assertEquals("SUCCEEDED", resumed.get("state").asText(), resumed.toString());
        // a fleet of the hot pair: run, status, rolled back; then a fleet job whose process died, resumed
        JsonNode fleetRun = changed("fleet_report", "upgrade", "fleet", "--image", "img-2", "--pairs", "kv");
        assertEquals("SUCCEEDED", fleetRun.get("state").asText(), fleetRun.toString());
        assertTrue(fleetRun.get("pairs").get(0).get("elapsed_ms").isIntegralNumber(), fleetRun.toString());
        String fleetJob = fleetRun.get("fleet_job").asText();
        JsonNode fleetStatus = both("fleet_status", "upgrade", "status", fleetJob);
        assertEquals("kv", fleetStatus.get("pairs").get(0).get("pair").asText(), fleetStatus.toString());
        JsonNode fleetBack = changed("fleet_rollback", "upgrade", "rollback", fleetJob);
        assertTrue(fleetBack.get("complete").asBoolean() && fleetBack.get("reason").isNull(), fleetBack.toString());
        assertEquals("ROLLED_BACK", fleetBack.get("pairs").get(0).get("state").asText(), fleetBack.toString());
        var orphanFleet = jobs.create(dev.duplex.engine.fleet.FleetJob.KIND, dev.duplex.engine.fleet.FleetJob.target("img-2"), "ops@gone",
                jobs.job(Long.parseLong(fleetJob)).orElseThrow().parameters());
        jobs.claim(orphanFleet.id(), "dead-node", java.time.Duration.ofSeconds(30)).orElseThrow();
        JsonNode fleetResumed = changed("fleet_report", "upgrade", "resume", Long.toString(orphanFleet.id()), "--force");
        assertEquals("SUCCEEDED", fleetResumed.get("state").asText(), fleetResumed.toString());
        both("job[]", "jobs", "list");
        JsonNode shown = both("job", "jobs", "show", job);
        assertTrue(shown.get("steps").size() >= 3 && shown.get("steps").get(0).get("ms").isIntegralNumber(), shown.toString());

        // the cold pair: the active's info pushed, the standby calibrated, a planned then a real failover
        Path settings = Files.write(dir.resolve("settings.bin"), new byte[16 * 1024]);
        Path conf = Files.writeString(dir.resolve("kv.conf"), "port=" + port0 + "\n");
        changed("env_push", "env", "push", "kvc", "--item", "settings=" + settings, "--item", "configuration=" + conf, "--revision", "1");
        changed("env_calibrate", "env", "calibrate", "kvc-1");
        JsonNode status = both("env_status", "env", "status", "kvc");
        assertEquals("cost_model", status.get("chooser").get("rule").asText(), status.toString());
        JsonNode plan = both("failover_plan", "failover", "kvc", "--dry-run");
        assertEquals("kvc-0", plan.get("old_active").asText(), plan.toString());
        JsonNode failover = changed("failover_report", "failover", "kvc");
        startedVms.add("kvc-1");
        assertTrue(failover.get("phases").get("total_ms").isIntegralNumber(), "failover times are integer ms like upgrade times");
        assertEquals("kvc-1", failover.get("new_active").asText(), failover.toString());

        // the demo and the benchmarks, smallest: their figures differ run to run, so each runs once, json or yaml
        JsonNode demo = run("demo_report", 0, "yaml", "demo", "--db-size", "1MiB", "--strategy", "link", "--rate", "20");
        assertEquals("link", demo.get("strategies").get(0).get("strategy").asText(), demo.toString());
        assertTrue(demo.get("intact").asBoolean() && demo.get("strategies").get(0).get("total_ms").isIntegralNumber(), demo.toString());
        JsonNode upgradeBench = run("bench_upgrade", 0, "json", "bench", "upgrade", "--sizes", "1MiB", "--strategies", "link", "--rate", "20",
                "--out", dir.resolve("bench-out").toString(), "--work", dir.resolve("bench-upgrade").toString());
        assertTrue(Files.isRegularFile(Path.of(upgradeBench.get("csv_file").asText())), upgradeBench.toString());
        assertEquals(1L << 20, upgradeBench.get("runs").get(0).get("db_size_bytes").asLong(), upgradeBench.toString());
        JsonNode failoverBench = run("bench_failover", 0, "yaml", "bench", "failover", "--runs", "1", "--work",
                dir.resolve("bench-failover").toString());
        assertEquals(1, failoverBench.get("runs").size(), failoverBench.toString());
        assertTrue(failoverBench.get("parts").get("total").get("median_ms").isIntegralNumber(), failoverBench.toString());

        // the offline diff tools
        Path before = Files.write(dir.resolve("before.fd"), new byte[8192]);
        byte[] changedBytes = new byte[8192];
        changedBytes[100] = 7;
        changedBytes[5000] = 9;
        Path after = Files.write(dir.resolve("after.fd"), changedBytes);
        Path diff = dir.resolve("r1-r2.dxdf");
        changed("env_diff", "env", "diff", "--from", before.toString(), "--to", after.toString(), "--out", diff.toString(),
                "--base-revision", "1");
        both("env_inspect", "env", "inspect", diff.toString());
        both("env_inspect", "env", "inspect", diff.toString(), "--base", before.toString());
        Path plain = dir.resolve("plain.dxdf");
        changed("env_diff", "env", "diff", "--from", before.toString(), "--to", after.toString(), "--out", plain.toString(), "--plain");
        both("env_inspect", "env", "inspect", plain.toString());
        Path target = Files.copy(before, dir.resolve("target.fd"));
        Path target2 = Files.copy(before, dir.resolve("target2.fd"));
        changed("env_apply", "env", "apply", "--diff", diff.toString(), "--target", target.toString());
        changed("env_apply", "env", "apply", "--full", after.toString(), "--target", target2.toString());

        // tokens and the database
        JsonNode created = changed("token_created", "token", "create", "ci", "--role", "operator");
        assertTrue(created.get("secret").asText().startsWith("dpx_"), "the secret is shown this once");
        changed("token_created", "token", "create", "ci-2", "--role", "viewer");
        both("token[]", "token", "list");
        assertEquals("revoked", changed("token", "token", "revoke", "ci").get("state").asText());
        changed("token", "token", "revoke", "ci-2");
        JsonNode database = both("database", "db", "status");
        assertTrue(database.get("schema_version").isIntegralNumber(), "schema_version is an integer: " + database);
        changed("db_migrate", "db", "migrate");
        changed("db_migrate", "db", "migrate");

        // deletes print what they deleted
        changed("pair", "pair", "delete", "kv");
        changed("pair", "pair", "delete", "kvc");
        changed("vm", "vm", "delete", "gone");
        changed("vm", "vm", "stop", "kv-1");
        JsonNode deletedVm = changed("vm", "vm", "delete", "kv-1");
        assertTrue(deletedVm.get("state").isNull(), "a deleted VM has no state: " + deletedVm);
        changed("volume", "volume", "delete", "db-x", "--force");
        changed("volume", "volume", "delete", "db-1", "--force");
        changed("image", "image", "delete", "img-x");
        changed("endpoint", "endpoint", "remove", "spare");
        // last: once nothing uses the database, db stop stops it (or finds it gone already)
        stopVms();
        keepDatabaseUp.close();
        keepDatabaseUp = null;
        changed("db_stop", "db", "stop");

        assertEquals(Set.of(), missing(), "commands that take --output but were not checked here");
    }

    @Test
    void everyCommandThatPrintsTakesOutput() {
        List<String> without = new ArrayList<>();
        leaves(tree(), "", (path, command) -> {
            if (!command.getCommandSpec().optionsMap().containsKey("--output") && !NO_OBJECT.contains(path)) {
                without.add(path);
            }
        });
        assertEquals(List.of(), without, "commands that print an object take -o/--output");
    }

    @Test
    void tablesAndOneObjectViewsStayTheDefault() {
        CliRun listed = CliRun.of("drivers");
        assertEquals(0, listed.exitCode(), listed.toString());
        assertTrue(listed.out().startsWith("KIND"), listed.out());
        CliRun refused = CliRun.of("drivers", "-o", "xml");
        assertEquals(2, refused.exitCode(), refused.toString());
        assertTrue(refused.err().startsWith("duplex: ") && refused.err().contains("use table, json or yaml"), refused.err());
    }

    /** A read-only command: JSON valid against its schema, YAML the same tree. */
    private JsonNode both(String kind, String... args) throws IOException {
        JsonNode fromJson = run(kind, 0, "json", args);
        JsonNode fromYaml = run(kind, 0, "yaml", args);
        assertEquals(comparable(fromJson), comparable(fromYaml), "-o yaml is the same tree as -o json: " + String.join(" ", args));
        return fromJson;
    }

    /** A command that changes something runs once: JSON, or YAML every other time (both are checked against the schema). */
    private JsonNode changed(String kind, String... args) throws IOException {
        return changed(kind, 0, args);
    }

    private int changes;

    private JsonNode changed(String kind, int exitCode, String... args) throws IOException {
        return run(kind, exitCode, changes++ % 2 == 0 ? "json" : "yaml", args);
    }

    private JsonNode run(String kind, int exitCode, String format, String... args) throws IOException {
        List<String> full = new ArrayList<>(Arrays.asList(args));
        full.add("-o");
        full.add(format);
        CliRun result = CliRun.withConfig(config, full.toArray(String[]::new));
        String command = String.join(" ", full);
        assertEquals(exitCode, result.exitCode(), command + "\n" + result);
        JsonNode node = (format.equals("json") ? json : yaml).readTree(result.out());
        boolean array = kind.endsWith("[]");
        String name = array ? kind.substring(0, kind.length() - 2) : kind;
        assertEquals(array, node.isArray(), command + " prints " + (array ? "an array" : "one object") + ": " + result.out());
        Schema schema = schema(name);
        for (JsonNode object : array ? node : List.of(node)) {
            List<Error> errors = schema.validate(object);
            assertEquals(List.of(), errors.stream().map(Error::toString).toList(), command + " against schemas/" + name + ".json:\n" + result.out());
        }
        covered.add(commandPath(args));
        return node;
    }

    private Schema schema(String kind) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/schemas/" + kind + ".json")) {
            assertTrue(in != null, "no schemas/" + kind + ".json");
            return schemas.getSchema(in);
        }
    }

    /** db status counts the Duplex processes using the database, which each run changes. */
    private static JsonNode comparable(JsonNode node) {
        if (node instanceof ObjectNode object && object.has("duplex_processes_using_it")) {
            ObjectNode copy = object.deepCopy();
            copy.remove(List.of("duplex_processes_using_it", "stops_at", "started_by_this_process"));
            return copy;
        }
        return node;
    }

    /** The command's words ("vm create") from its arguments, as the tree names it. */
    private String commandPath(String... args) {
        CommandLine command = tree();
        List<String> words = new ArrayList<>();
        for (String arg : args) {
            CommandLine sub = command.getSubcommands().get(arg);
            if (sub == null) {
                break;
            }
            words.add(sub.getCommandName());
            command = sub;
        }
        return String.join(" ", words);
    }

    private Set<String> missing() {
        Set<String> missing = new TreeSet<>();
        leaves(tree(), "", (path, command) -> {
            if (command.getCommandSpec().optionsMap().containsKey("--output") && !covered.contains(path)) {
                missing.add(path);
            }
        });
        return missing;
    }

    private static void leaves(CommandLine command, String path, java.util.function.BiConsumer<String, CommandLine> each) {
        Map<String, CommandLine> subs = command.getSubcommands();
        if (subs.isEmpty()) {
            each.accept(path, command);
            return;
        }
        Set<CommandLine> seen = new java.util.HashSet<>();
        for (CommandLine sub : subs.values()) {
            if (seen.add(sub)) { // aliases ("delete" for "remove") map to the same command
                leaves(sub, (path.isEmpty() ? "" : path + " ") + sub.getCommandName(), each);
            }
        }
    }

    private static CommandLine tree() {
        PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        return CommandTree.build(new CliContext(Installation.current(), Map.of(), nowhere, nowhere));
    }

    private Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name + ".sh");
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
