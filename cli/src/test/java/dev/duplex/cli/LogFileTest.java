package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** The shipped log set-up ({@link LogFile}), applied to a context of its own: what a line of duplex.log carries in each format. */
class LogFileTest {
    @TempDir
    Path logs;

    @Test
    void aTextLineNamesTheProcessTheCommandAndTheJob() throws Exception {
        List<String> lines = logOneLine(Map.of("duplex.internal.log.format", "text"));
        assertEquals(1, lines.size(), lines.toString());
        String line = lines.get(0);
        assertTrue(line.contains("INFO  pid=4242 command=\"upgrade run\" job=17 "), line);
        assertTrue(line.endsWith(" - Stopping kv-1 on lab"), line);
    }

    @Test
    void withoutAFormatTheLineIsText() throws Exception {
        List<String> lines = logOneLine(Map.of());
        assertTrue(lines.get(0).contains("pid=4242 command=\"upgrade run\""), lines.toString());
    }

    @Test
    void aJsonLineIsOneObjectWithTheSameKeys() throws Exception {
        List<String> lines = logOneLine(Map.of("duplex.internal.log.format", "json"));
        assertEquals(1, lines.size(), "one object per line: " + lines);
        JsonNode event = new ObjectMapper().readTree(lines.get(0));
        assertEquals("INFO", event.get("level").asText());
        assertEquals("Stopping kv-1 on lab", event.get("formattedMessage").asText());
        JsonNode mdc = event.get("mdc");
        assertEquals("4242", mdc.get("pid").asText());
        assertEquals("upgrade run", mdc.get("command").asText());
        assertEquals("17", mdc.get("job").asText());
    }

    @Test
    void debugIsOnlyWrittenAtDebug() throws Exception {
        LoggerContext context = configured(Map.of("duplex.internal.log.level", "INFO"));
        context.getLogger("dev.duplex.engine.driver.DriverCalls").debug("createVm kv-1");
        context.stop();
        assertEquals(List.of(), Files.readAllLines(logs.resolve("duplex.log")));
        LoggerContext debug = configured(Map.of("duplex.internal.log.level", "DEBUG"));
        debug.getLogger("dev.duplex.engine.driver.DriverCalls").debug("createVm kv-1");
        debug.stop();
        assertTrue(Files.readString(logs.resolve("duplex.log")).contains("createVm kv-1"));
    }

    @Test
    void aNewLogFolderAndFileAreThisUsersAlone() throws Exception {
        Path dir = logs.resolve("fresh").resolve("logs");
        LoggerContext context = configured(Map.of("duplex.internal.log.dir", dir.toString()));
        context.getLogger("dev.duplex.cli.Main").info("one line");
        context.stop();
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("duplex.log"))));
        assertTrue(Files.readString(dir.resolve("duplex.log")).contains("one line"));
    }

    /** The set-up records what it was configured with, so that a command does not parse it a second time for the same. */
    @Test
    void aLogConfiguredWithTheCurrentSettingsIsNotConfiguredAgain() throws Exception {
        Map<String, String> saved = new java.util.HashMap<>();
        for (String key : List.of("duplex.internal.log.dir", "duplex.internal.log.level", "duplex.internal.log.format")) {
            saved.put(key, System.getProperty(key));
        }
        try {
            System.setProperty("duplex.internal.log.dir", logs.toString());
            System.setProperty("duplex.internal.log.level", "DEBUG");
            System.setProperty("duplex.internal.log.format", "json");
            LoggerContext context = configured(Map.of());
            assertTrue(LogContext.configuredWithSystemProperties(context));

            System.setProperty("duplex.internal.log.level", "INFO");
            assertTrue(!LogContext.configuredWithSystemProperties(context), "another level: configured again");
            System.setProperty("duplex.internal.log.level", "DEBUG");
            System.setProperty("duplex.internal.log.dir", logs.resolve("elsewhere").toString());
            assertTrue(!LogContext.configuredWithSystemProperties(context), "another folder: configured again");
            context.stop();
        } finally {
            saved.forEach((key, value) -> {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            });
        }
    }

    private List<String> logOneLine(Map<String, String> properties) throws Exception {
        LoggerContext context = configured(properties);
        Logger log = context.getLogger("dev.duplex.engine.upgrade.RollingUpgrade");
        // This context's own MDC: what org.slf4j.MDC is for the context the process runs with.
        org.slf4j.spi.MDCAdapter mdc = context.getMDCAdapter();
        mdc.put("pid", "4242");
        mdc.put("command", "upgrade run");
        mdc.put("job", "17");
        try {
            log.info("Stopping {} on {}", "kv-1", "lab");
        } finally {
            mdc.clear();
        }
        context.stop();
        return Files.readAllLines(logs.resolve("duplex.log"));
    }

    private LoggerContext configured(Map<String, String> properties) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        context.putProperty("duplex.internal.log.dir", logs.toString());
        properties.forEach(context::putProperty);
        LogFile logFile = new LogFile();
        logFile.setContext(context);
        assertEquals(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, logFile.configure(context),
                "no XML is looked for after it");
        return context;
    }
}
