package dev.duplex.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every example of every {@code --help} text, run as printed on the unpacked release with the local
 * driver. The commands are found as an operator would find them, from the help's own "Commands:"
 * listings. After the setup below (the README's pair, not yet paired, and its cold pair), the
 * examples run in the order the help lists the commands, except that the examples of stopping
 * commands run after all the others, and those of deleting commands (delete, remove, revoke) last,
 * in reverse order, as a teardown would.
 */
class HelpExamplesIT extends OnTheRelease {
    /** The README's walk-through up to its pair, and its cold pair: what the examples build on. */
    private static final String SETUP = """
            set -eux
            duplex endpoint add lab --driver local
            duplex image register kv-1 --endpoint lab --version v1 --source examples/images/v1
            duplex image register kv-2 --endpoint lab --version v2 --source examples/images/v2
            duplex volume create db-0 --endpoint lab --size 64MiB
            duplex volume create db-1 --endpoint lab --size 64MiB
            T=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')
            duplex vm create kv-0 --endpoint lab --image kv-1 --link db-0:db -p env.KV_PORT=7000 -p env.KV_PEER=127.0.0.1:7001 -p env.KV_ROLE=ACT -p env.ROLE_TOKEN=$T
            duplex vm create kv-1 --endpoint lab --image kv-1 --link db-1:db -p env.KV_PORT=7001 -p env.KV_PEER=127.0.0.1:7000 -p env.ROLE_TOKEN=$T
            duplex vm start kv-0 && duplex vm start kv-1
            duplex volume create db-c0 --endpoint lab --size 64MiB
            duplex volume create db-c1 --endpoint lab --size 64MiB
            duplex vm create kvc-0 --endpoint lab --image kv-2 --link db-c0:db -p env.KV_PORT=7100 -p env.KV_ROLE=ACT -p env.ROLE_TOKEN=$T
            duplex vm create kvc-1 --endpoint lab --image kv-2 --link db-c1:db -p env.KV_PORT=7101 -p env.ROLE_TOKEN=$T
            duplex pair create kvc --system0 kvc-0 --system1 kvc-1 --active 0 --standby cold \\
                --role-controller type=http --role-controller member.kvc-0.port=7100 --role-controller member.kvc-1.port=7101
            duplex vm start kvc-0
            """;
    private static final Pattern LISTED = Pattern.compile("^  ([a-z][a-z0-9-]*)(?:, [a-z0-9-]+)*\\s");


    @Test
    void everyHelpExampleRunsAsPrinted() throws IOException, InterruptedException {
        Map<String, List<String>> examples = new LinkedHashMap<>();
        long walk = System.nanoTime();
        collect(List.of(), examples);
        System.out.println("the --help walk: " + examples.size() + " commands in " + (System.nanoTime() - walk) / 1_000_000 + " ms");
        assertTrue(examples.size() > 40, "the walk found the commands: " + examples.keySet());
        for (var entry : examples.entrySet()) {
            // 'upgrade resume' needs a job whose process was killed: its examples are comments (HelpTextTest checks they exist)
            assertTrue(!entry.getValue().isEmpty() || entry.getKey().equals("duplex upgrade resume"), entry.getKey() + " --help has an example");
        }

        long setupBegan = System.nanoTime();
        Release.Result setup = release.shell(SETUP, Duration.ofMinutes(5));
        System.out.println("setup: " + (System.nanoTime() - setupBegan) / 1_000_000 + " ms");
        assertEquals(0, setup.exitCode(), "setup: " + setup);

        List<String> now = new ArrayList<>();
        List<String> stops = new ArrayList<>();
        List<String> teardown = new ArrayList<>();
        for (var entry : examples.entrySet()) {
            String last = entry.getKey().substring(entry.getKey().lastIndexOf(' ') + 1);
            boolean deletes = List.of("delete", "remove", "revoke").contains(last);
            for (String example : entry.getValue()) {
                if (deletes) {
                    teardown.add(0, example);
                } else if (last.equals("stop")) {
                    stops.add(example); // a stopped VM would refuse the later examples (upgrade vm) that need it running
                } else if (!now.contains(example)) {
                    now.add(example); // a group's example is often one of its commands': once is enough
                }
            }
        }
        now.removeAll(teardown);
        now.removeAll(stops);
        List<String> ran = new ArrayList<>();
        for (String example : concat(concat(now, stops), teardown)) {
            long began = System.nanoTime();
            Release.Result result = example.startsWith("duplex server") ? server(example) : release.shell(example, Duration.ofMinutes(10));
            System.out.println("$ " + example + "   [" + (System.nanoTime() - began) / 1_000_000 + " ms]\n" + result); // kept in the failsafe report
            assertEquals(0, result.exitCode(), "after " + ran.size() + " examples ran, '" + example + "' failed: " + result);
            ran.add(example);
        }
        System.out.println(ran.size() + " examples ran: " + ran);
    }

    /** The server runs until stopped: it must come up and answer, then SIGTERM ends it. */
    private Release.Result server(String example) throws IOException, InterruptedException {
        Process process = release.processBuilder(List.of("sh", "-c", "exec " + example)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.out").toFile()).start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    HttpResponse<String> live = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8443/health/live"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (live.statusCode() == 200) {
                        process.destroy();
                        boolean ended = process.waitFor(60, TimeUnit.SECONDS);
                        return new Release.Result(ended ? 0 : 1, "answered /health/live, then stopped on SIGTERM (exit "
                                + (ended ? process.exitValue() : "none") + ")", "");
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(500);
            }
            return new Release.Result(1, "", "the server did not answer /health/live: " + java.nio.file.Files.readString(dir.resolve("server.out")));
        } finally {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Every command's examples, from its --help, in the order of the "Commands:" listings (depth
     * first). The help texts of one level of the tree are read a few at once: each is a JVM start.
     */
    private void collect(List<String> root, Map<String, List<String>> examples) throws IOException, InterruptedException {
        Map<List<String>, String> helps = new HashMap<>();
        ExecutorService readers = Executors.newFixedThreadPool(3);
        try {
            List<List<String>> level = List.of(root);
            while (!level.isEmpty()) {
                Map<List<String>, Future<Release.Result>> reading = new LinkedHashMap<>();
                for (List<String> words : level) {
                    List<String> args = new ArrayList<>(words);
                    args.add("--help");
                    reading.put(words, readers.submit(() -> release.duplex(args.toArray(String[]::new))));
                }
                List<List<String>> next = new ArrayList<>();
                for (var read : reading.entrySet()) {
                    Release.Result help = read.getValue().get();
                    assertEquals(0, help.exitCode(), "duplex " + String.join(" ", read.getKey()) + " --help: " + help);
                    helps.put(read.getKey(), help.out());
                    for (String sub : subcommands(help.out())) {
                        if (!sub.equals("help")) { // 'duplex help' is --help again
                            next.add(concat(read.getKey(), List.of(sub)));
                        }
                    }
                }
                level = next;
            }
        } catch (ExecutionException e) {
            throw new AssertionError("reading a --help failed", e.getCause());
        } finally {
            readers.shutdownNow();
        }
        inListingOrder(root, helps, examples);
        examples.put("duplex help", examples(release.duplex("help", "--help").out()));
    }

    private static void inListingOrder(List<String> words, Map<List<String>, String> helps, Map<String, List<String>> examples) {
        String help = helps.get(words);
        examples.put("duplex" + (words.isEmpty() ? "" : " " + String.join(" ", words)), examples(help));
        for (String sub : subcommands(help)) {
            if (!sub.equals("help")) {
                inListingOrder(concat(words, List.of(sub)), helps, examples);
            }
        }
    }

    static List<String> subcommands(String help) {
        List<String> names = new ArrayList<>();
        boolean inside = false;
        for (String line : help.split("\n")) {
            if (line.equals("Commands:")) {
                inside = true;
            } else if (inside) {
                Matcher listed = LISTED.matcher(line + " ");
                if (listed.find()) {
                    names.add(listed.group(1));
                } else if (!line.startsWith("   ")) {
                    inside = false;
                }
            }
        }
        return names;
    }

    static List<String> examples(String help) {
        List<String> examples = new ArrayList<>();
        boolean inside = false;
        for (String line : help.split("\n")) {
            if (line.equals("Examples:")) {
                inside = true;
            } else if (inside && line.startsWith("  ") && !line.strip().startsWith("#")) {
                examples.add(line.strip());
            } else if (inside && !line.startsWith("  ")) {
                inside = false;
            }
        }
        return examples;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
