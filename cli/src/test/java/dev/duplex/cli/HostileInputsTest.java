package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.ObjectName;
import dev.duplex.api.VisibleText;
import dev.duplex.api.VolumeLink;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.inventory.Inventory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9's hostile inputs through the real CLI, the local driver and the embedded PostgreSQL:
 * bad names for every kind of object (created and referred to), bad mount paths, and images
 * whose links lead outside. Every one is refused with one line naming the rule or the link, the
 * error shows control characters escaped, and nothing appears on disk or in the inventory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputsTest {
    /** The placeholder for an absolute name; it becomes a folder of this test's own, never '/abs' itself. */
    private static final String ABSOLUTE = "/abs";

    private Path dir;
    private Path home;
    private String config;
    private Services keepDatabaseUp;
    private Set<String> filesBefore;
    private Map<String, List<String>> inventoryBefore;

    static List<String> badNames() {
        return List.of("../x", "../../../duplex-hostile-escape", "..", ".", ABSOLUTE, "a/b", "kv\nkv-9  lab  img-1  RUNNING", "kv\r", "kv\t0",
                "\u001b[31mred", "kv\u001b]0;pwned\u0007", "a\u0000b", "a\u007fb", "a\u009b2J", "x".repeat(64), "",
                "-x", ".hidden", "l\u0430b", "\u0455olo", "kv\u20110", "kv 0", " lab", "lab ", "a\u202eb");
    }

    @BeforeAll
    void start() throws IOException {
        dir = TestHome.create("duplex-cli-hostile");
        home = dir.resolve("home");
        Path file = dir.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + home + "\nduplex.db.idle-stop=PT0S\n"); // the test deletes the home: the server stops with its last user
        config = file.toString();
        keepDatabaseUp = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
        Path image = image("image");
        Path inner = image("inner");
        Files.createDirectories(inner.resolve("real"));
        Files.createSymbolicLink(inner.resolve("esc"), Path.of("real")); // a link inside the image: allowed
        ok("endpoint", "add", "lab", "--driver", "local");
        ok("image", "register", "img-1", "--endpoint", "lab", "--version", "1.0", "--source", image.toString());
        ok("image", "register", "inner", "--endpoint", "lab", "--version", "1.0", "--source", inner.toString());
        ok("volume", "create", "db-0", "--endpoint", "lab", "--size", "1MiB");
        ok("volume", "create", "db-1", "--endpoint", "lab", "--size", "1MiB");
        ok("vm", "create", "vm-0", "--endpoint", "lab", "--image", "img-1", "--link", "db-0:db");
        ok("vm", "create", "vm-1", "--endpoint", "lab", "--image", "img-1");
        filesBefore = files();
        inventoryBefore = inventory();
    }

    @AfterAll
    void stop() {
        keepDatabaseUp.close();
    }

    private Path image(String name) throws IOException {
        Path image = Files.createDirectories(dir.resolve("sources").resolve(name));
        Files.writeString(image.resolve("duplex-image.properties"), "version=1.0\ncommand=while true; do sleep 1; done\n");
        return image;
    }

    // ---- names

    /** Each way a name enters: the new object's own name, and the names it refers to. */
    static Stream<Arguments> namesByKind() {
        Map<String, Function<String, List<String>>> commands = new java.util.LinkedHashMap<>();
        commands.put("endpoint", n -> List.of("endpoint", "add", "--driver", "local", "--", n));
        commands.put("image", n -> List.of("image", "register", "--endpoint", "lab", "--version", "1.0", "--source", "SOURCE", "--", n));
        commands.put("volume", n -> List.of("volume", "create", "--endpoint", "lab", "--size", "1MiB", "--", n));
        commands.put("vm", n -> List.of("vm", "create", "--endpoint", "lab", "--image", "img-1", "--", n));
        commands.put("pair", n -> List.of("pair", "create", "--system0", "vm-0", "--system1", "vm-1", "--", n));
        commands.put("image --endpoint", n -> List.of("image", "register", "img-9", "--endpoint=" + n, "--version", "1.0", "--source", "SOURCE"));
        commands.put("volume --endpoint", n -> List.of("volume", "create", "db-9", "--endpoint=" + n, "--size", "1MiB"));
        commands.put("vm --endpoint", n -> List.of("vm", "create", "vm-9", "--endpoint=" + n, "--image", "img-1"));
        commands.put("vm --image", n -> List.of("vm", "create", "vm-9", "--endpoint", "lab", "--image=" + n));
        commands.put("vm --link volume", n -> List.of("vm", "create", "vm-9", "--endpoint", "lab", "--image", "img-1", "--link=" + n + ":db"));
        commands.put("pair --system0", n -> List.of("pair", "create", "kv-9", "--system0=" + n, "--system1", "vm-1"));
        commands.put("pair --system1", n -> List.of("pair", "create", "kv-9", "--system0", "vm-0", "--system1=" + n));
        List<Arguments> cases = new ArrayList<>();
        commands.forEach((kind, command) -> badNames().forEach(name -> cases.add(Arguments.of(kind, VisibleText.escape(name), name, command))));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("namesByKind")
    void badNameIsRefusedWithTheRuleAndLeavesNothing(String kind, String shown, String badName, Function<String, List<String>> command) {
        String name = badName.equals(ABSOLUTE) ? dir.resolve("abs").toString() : badName;
        List<String> args = command.apply(name).stream().map(a -> a.equals("SOURCE") ? dir.resolve("sources").resolve("image").toString() : a).toList();
        CliRun result = run(args.toArray(String[]::new));
        assertTrue(result.exitCode() == 1 || result.exitCode() == 2, "refused: " + result);
        assertTrue(result.err().lines().findFirst().orElse("").contains(ObjectName.RULE), result.err());
        assertTrue(result.err().lines().count() <= 2, "one line (and where to read more): " + result.err());
        assertNoControlCharacter(result.err());
        assertEquals("", result.out());
        assertNothingCreated(name);
    }

    // ---- mount paths

    static Stream<String> badMountPaths() {
        return Stream.of("../..", "..", ".", ABSOLUTE, "/db", "a/../../b", "a/..", "", "a//b", "a/", "./db", "db/.", "db\n",
                "d\u001b]0;pwned\u0007b", "a b", "a\\b", "d\u0430", "x".repeat(256));
    }

    @ParameterizedTest
    @MethodSource("badMountPaths")
    void badMountPathIsRefusedWithTheRuleAndLeavesNothing(String badPath) {
        String mountPath = badPath.equals(ABSOLUTE) ? dir.resolve("abs").toString() : badPath;
        CliRun result = run("vm", "create", "vm-9", "--endpoint", "lab", "--image", "img-1", "--link", "db-1:" + mountPath);
        assertEquals(1, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.err());
        assertTrue(result.err().contains(VolumeLink.MOUNT_PATH_RULE), result.err());
        assertNoControlCharacter(result.err());
        assertNothingCreated("vm-9");
    }

    @Test
    void mountPathThroughALinkInTheImageIsRefused() {
        CliRun result = run("vm", "create", "vm-9", "--endpoint", "lab", "--image", "inner", "--link", "db-1:esc/db");
        assertEquals(1, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.err());
        assertTrue(result.err().contains("'esc', a symbolic link to 'real'"), result.err());
        assertNothingCreated("vm-9");
    }

    // ---- image contents

    /** Link path and target pairs, each image holding one escape (absolute, relative out, through another link, a loop). */
    static Stream<List<String>> escapingLinks() {
        return Stream.of(List.of("esc", "/etc"), List.of("esc", "ELSEWHERE"), List.of("esc", "../.."), List.of("lib/esc", "../../x"),
                List.of("a", "b", "b", "/etc/shadow"), List.of("a", "b/x", "b", ".."), List.of("lib/up", "..", "x", "lib/up/.."),
                List.of("a", "b", "b", "a"), List.of("self", "self"));
    }

    @ParameterizedTest
    @MethodSource("escapingLinks")
    void imageWithALinkLeadingOutsideIsRefusedNamingTheLink(List<String> links) throws IOException {
        Path source = image("links-" + Integer.toHexString(links.hashCode()));
        Files.createDirectories(source.resolve("lib"));
        for (int i = 0; i < links.size(); i += 2) {
            String target = links.get(i + 1).equals("ELSEWHERE") ? dir.resolve("elsewhere").toString() : links.get(i + 1);
            Files.createSymbolicLink(source.resolve(links.get(i)), Path.of(target));
        }
        CliRun result = run("image", "register", "img-9", "--endpoint", "lab", "--version", "1.0", "--source", source.toString());
        assertEquals(1, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.err());
        assertTrue(result.err().contains("symbolic link " + source.toRealPath()) && result.err().contains(" -> "), result.err());
        assertNothingCreated("img-9");
    }

    // ---- the terminal

    @Test
    void errorsShowControlCharactersEscapedOnOneLine() {
        CliRun result = run("vm", "start", "kv\u001b]0;pwned\u0007\nduplex: all good");
        assertEquals(1, result.exitCode(), result.toString());
        assertEquals("duplex: No VM named 'kv\\x1b]0;pwned\\x07\\nduplex: all good' in the inventory\n", result.err());
    }

    // ---- helpers

    private void assertNothingCreated(String name) {
        assertEquals(inventoryBefore, inventory(), "the inventory is unchanged");
        assertEquals(filesBefore, files(), "no file or folder appeared or went under the home and the test folder");
        try {
            Path where = home.resolve("drivers").resolve(name).normalize();
            if (!Set.of("", ".", "..").contains(name)) {
                assertFalse(Files.exists(where, LinkOption.NOFOLLOW_LINKS), where + " must not exist");
            }
        } catch (InvalidPathException e) {
            // A name the file system cannot even spell (NUL) cannot have become a folder.
        }
    }

    private static void assertNoControlCharacter(String text) {
        text.lines().forEach(line -> assertTrue(line.chars().noneMatch(VisibleText::isControl), "escaped: " + line));
    }

    /**
     * Every path under the test folder, except the database's and the logs' own files, which change as they run:
     * those folders are not entered at all (PostgreSQL deletes files such as pg_internal.init while a walk lists them).
     */
    private Set<String> files() {
        Set<String> found = new TreeSet<>();
        try {
            Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path folder, java.nio.file.attribute.BasicFileAttributes attributes) {
                    if (folder.equals(home.resolve("db")) || folder.equals(home.resolve("logs"))) {
                        return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                    }
                    found.add(dir.relativize(folder).toString());
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attributes) {
                    found.add(dir.relativize(file).toString());
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
            found.removeIf(p -> p.startsWith("sources/links-"));
            return found;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Map<String, List<String>> inventory() {
        Inventory inventory = keepDatabaseUp.get(Inventory.class);
        return Map.of("endpoints", inventory.endpoints().stream().map(e -> e.name()).sorted().toList(),
                "images", inventory.images().stream().map(i -> i.name()).sorted().toList(),
                "volumes", inventory.volumes().stream().map(v -> v.name()).sorted().toList(),
                "vms", inventory.vms().stream().map(v -> v.name()).sorted().toList(),
                "pairs", inventory.pairs().stream().map(p -> p.name()).sorted().toList());
    }

    private String ok(String... args) {
        CliRun result = run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + "\n" + result);
        return result.out();
    }

    private CliRun run(String... args) {
        return CliRun.withConfig(config, args);
    }

}
