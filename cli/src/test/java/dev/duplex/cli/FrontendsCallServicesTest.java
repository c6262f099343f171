package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The frontends are adapters (issue 11): a command or a route parses, calls one engine service and
 * renders. This reads the sources of cli and server and names every file that calls a driver,
 * writes the inventory, the job queue or the audit log, or runs an engine workflow the services
 * wrap — so a rule that creeps back into a frontend fails the build with the file and the line.
 */
class FrontendsCallServicesTest {
    private static final Path CLI = Path.of("src/main/java");
    private static final Path SERVER = Path.of("../server/src/main/java");

    /** What a frontend must not do, each with the words a reviewer would use. */
    private static final Map<String, Pattern> FORBIDDEN = Map.ofEntries(
            Map.entry("calls a driver (HypervisorDriver)", Pattern.compile("\\bHypervisorDriver\\b")),
            Map.entry("opens platform connections (EndpointConnections)", Pattern.compile("\\bEndpointConnections\\b|\\.connections\\(\\)")),
            Map.entry("connects a driver from the registry", Pattern.compile("\\bDriverProvider\\b|(?<!Database)\\.connect\\(")),
            Map.entry("writes the inventory", Pattern.compile("\\.(addEndpoint|removeEndpoint|addImage|removeImage|addVolume|removeVolume"
                    + "|addVm|updateVm|removeVm|addPair|removePair|setActiveSystem)\\(")),
            Map.entry("writes the audit log", Pattern.compile("\\bAuditTrail\\b|\\bnew AuditEntry\\b|\\bAuditEntry\\.of\\(")),
            Map.entry("runs an engine workflow the services wrap", Pattern.compile("\\bRollingUpgrade\\b|\\bnew Failover\\(|\\bnew Fence\\("
                    + "|\\bEnvironmentPush\\b|\\bEnvironmentCalibration\\b")));

    private static final Pattern JOB_QUEUE_WRITE = Pattern.compile("\\.(create|claim|heartbeat|release|finish|stepStarted|stepDone|stepFailed)\\(");
    private static final Pattern AUDIT_LOG_WRITE = Pattern.compile("\\.record\\(");

    /** Services builds the injector and closes the platform connections it opened; nothing else may name them. */
    private static final Map<String, String> ALLOWED = Map.of("dev/duplex/cli/Services.java", "opens platform connections (EndpointConnections)");

    @Test
    void cliAndServerSourcesCallServicesOnly() throws IOException {
        assertTrue(Files.isDirectory(CLI) && Files.isDirectory(SERVER), "run from the cli module: " + Path.of("").toAbsolutePath());
        List<String> offenders = new ArrayList<>();
        offenders.addAll(scan(CLI));
        offenders.addAll(scan(SERVER));

        assertEquals(List.of(), offenders, "frontend code that belongs in an engine service:\n" + String.join("\n", offenders));
    }

    @Test
    void theScanNamesAFileThatWritesTheInventoryOrTheJobQueueAndIgnoresComments() {
        String source = """
                class Sneaky {
                    // inventory.addVm(x) in a comment is fine
                    String help = "jobs.finish(1) in a help text is fine";
                    void run(JobQueue queue, AuditLog log) {
                        context.services().inventory().addVm(vm);
                        queue.finish(1, JobState.FAILED, Optional.empty());
                        log.record(entry);
                    }
                }
                """;
        List<String> found = offences("Sneaky.java", source);

        assertEquals(List.of("Sneaky.java:5 writes the inventory", "Sneaky.java:6 writes the job queue",
                "Sneaky.java:7 writes the audit log"), found);
    }

    private static List<String> scan(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(f -> offences(relative(root, f), read(f)).stream())
                    .toList();
        }
    }

    /** Each offence as {@code path:line what}; comments and string literals are blanked first (help texts name these words). */
    static List<String> offences(String path, String source) {
        String code = codeOnly(source);
        Set<String> found = new LinkedHashSet<>();
        FORBIDDEN.forEach((what, pattern) -> {
            if (what.equals(ALLOWED.get(path))) {
                return;
            }
            Matcher matcher = pattern.matcher(code);
            while (matcher.find()) {
                found.add(line(code, matcher.start()) + "\u0000" + what);
            }
        });
        writesThrough(code, "JobQueue", JOB_QUEUE_WRITE).forEach(at -> found.add(at + "\u0000writes the job queue"));
        writesThrough(code, "AuditLog", AUDIT_LOG_WRITE).forEach(at -> found.add(at + "\u0000writes the audit log"));
        return found.stream().map(f -> f.split("\u0000")).sorted((a, b) -> Integer.compare(Integer.parseInt(a[0]), Integer.parseInt(b[0])))
                .map(f -> path + ":" + f[0] + " " + f[1]).toList();
    }

    /** Lines where a variable of {@code type} (or {@code get(type.class)}) has a writing method called on it. */
    private static List<Integer> writesThrough(String code, String type, Pattern writes) {
        Set<String> receivers = new LinkedHashSet<>();
        Matcher declared = Pattern.compile("\\b" + type + "\\s+(\\w+)").matcher(code);
        while (declared.find()) {
            receivers.add(Pattern.quote(declared.group(1)));
        }
        receivers.add(Pattern.quote(type + ".class)"));
        List<Integer> lines = new ArrayList<>();
        for (String receiver : receivers) {
            Matcher call = Pattern.compile("(?<![\\w.])" + receiver + "\\s*" + writes.pattern()).matcher(code);
            while (call.find()) {
                lines.add(line(code, call.start()));
            }
        }
        return lines;
    }

    /** The source with comments and string/char literals replaced by spaces, newlines kept (so line numbers stay). */
    private static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                while (i < source.length() && source.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                blank(source, i, end, out);
                i = end;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? source.length() : end + 3;
                blank(source, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < source.length() && source.charAt(end) != c && source.charAt(end) != '\n') {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(source.length(), end + 1);
                blank(source, i, end, out);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(String source, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) {
            out.append(source.charAt(k) == '\n' ? '\n' : ' ');
        }
    }

    private static int line(String code, int offset) {
        int line = 1;
        for (int k = 0; k < offset; k++) {
            if (code.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
