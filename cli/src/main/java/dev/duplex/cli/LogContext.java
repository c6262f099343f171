package dev.duplex.cli;

import java.util.List;
import org.slf4j.MDC;
import picocli.CommandLine;

/**
 * What every log line of an invocation carries besides its message: the process id and the command
 * (MDC keys {@code pid} and {@code command}; jobs add {@code job}), so that lines of several Duplex
 * processes writing the same log file can be told apart and searched.
 */
final class LogContext {
    private LogContext() {}

    /** A context property {@link LogFile} sets to the directory, level and format it was configured with. */
    static final String CONFIGURED_WITH = "duplex.internal.log.configured";

    /**
     * Applies duplex.log.level and duplex.log.format, known only once the configuration is read: a
     * class that logs may have started logback before (with the defaults), so it is configured again,
     * unless logback was first configured with these very values (as it is when nothing logged before
     * the configuration was read).
     */
    static void reconfigure() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback
                && !configuredWithSystemProperties(logback)) {
            logback.reset();
            try {
                new ch.qos.logback.classic.util.ContextInitializer(logback).autoConfig();
            } catch (ch.qos.logback.core.joran.spi.JoranException e) {
                throw new IllegalStateException("Cannot configure the log file: " + e.getMessage(), e);
            }
        }
    }

    /** True when {@link LogFile} configured {@code logback} with the log directory, level and format the system properties hold now. */
    static boolean configuredWithSystemProperties(ch.qos.logback.classic.LoggerContext logback) {
        String wanted = System.getProperty("duplex.internal.log.dir", System.getProperty("user.home") + "/.duplex/logs")
                + "|" + System.getProperty("duplex.internal.log.level", "INFO")
                + "|" + System.getProperty("duplex.internal.log.format", "text");
        return wanted.equals(logback.getProperty(CONFIGURED_WITH));
    }

    static void start() {
        MDC.put("pid", Long.toString(ProcessHandle.current().pid()));
    }

    /** The command's words as the user typed them, without options or arguments: "upgrade run". */
    static String commandOf(CommandLine.ParseResult parsed) {
        List<CommandLine> chain = parsed.asCommandLineList();
        StringBuilder words = new StringBuilder();
        for (CommandLine command : chain.subList(1, chain.size())) {
            words.append(words.isEmpty() ? "" : " ").append(command.getCommandName());
        }
        return words.isEmpty() ? "duplex" : words.toString();
    }
}
