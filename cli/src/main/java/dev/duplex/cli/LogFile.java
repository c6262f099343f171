package dev.duplex.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * duplex.log, set up in code: logback finds this through {@code META-INF/services} before it would look for
 * an XML file, and parsing XML (Joran) cost a short command more than the rest of its logging. The CLI talks
 * to people on stdout/stderr itself; the log file keeps the details. The settings come from the context's
 * properties, else the system properties {@link CliContext#config()} sets from duplex.log.*, else defaults.
 */
public final class LogFile extends ContextAwareBase implements Configurator {
    static final String DIR = "duplex.internal.log.dir";
    static final String LEVEL = "duplex.internal.log.level";
    static final String FORMAT = "duplex.internal.log.format";
    /**
     * Every line names its process, its command and, while one runs, its job (MDC: pid, command, job), so lines
     * of several Duplex processes in one file can be told apart and searched.
     */
    static final String PATTERN = "%d{ISO8601} %-5level pid=%X{pid:--} command=\"%X{command:--}\" job=%X{job:--} [%thread] %logger{30} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        context.getStatusManager().add(new NopStatusListener());
        String dir = setting(context, DIR, System.getProperty("user.home") + "/.duplex/logs");
        String level = setting(context, LEVEL, "INFO");
        String format = setting(context, FORMAT, "text");
        // what this was configured with: LogContext.reconfigure() does not configure again for the same
        context.putProperty(LogContext.CONFIGURED_WITH, dir + "|" + level + "|" + format);

        createPrivate(Path.of(dir));
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setName("FILE_" + format);
        file.setFile(dir + "/duplex.log");
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> rolling = new SizeAndTimeBasedRollingPolicy<>();
        rolling.setContext(context);
        rolling.setParent(file);
        rolling.setFileNamePattern(dir + "/duplex.%d{yyyy-MM-dd}.%i.log");
        rolling.setMaxFileSize(FileSize.valueOf("20MB"));
        rolling.setMaxHistory(14);
        rolling.setTotalSizeCap(FileSize.valueOf("200MB"));
        file.setRollingPolicy(rolling);
        file.setEncoder(encoder(context, format));
        rolling.start();
        file.start();

        for (String chatty : new String[] {"io.zonky", "org.flywaydb", "com.zaxxer.hikari"}) {
            context.getLogger(chatty).setLevel(Level.WARN);
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(file);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, String format) {
        if (format.toLowerCase(Locale.ROOT).equals("json")) {
            // one JSON object per line, with the same MDC keys, for log shippers; the message as people read it
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(PATTERN);
        text.start();
        return text;
    }

    /**
     * The folder and the file made for this user alone before logback opens it (logback would make them 0755 and
     * 0644 under root's umask, and a log names hosts, VMs and failures). What exists already keeps its mode.
     */
    private void createPrivate(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path log = dir.resolve("duplex.log");
            if (!Files.exists(log, LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
        } catch (FileAlreadyExistsException e) {
            // another Duplex process made it a moment ago: it is as private as this one would be
        } catch (IOException | UnsupportedOperationException e) {
            addWarn("Cannot create " + dir + " for this user alone: " + e); // logback still opens the file
        }
    }

    /** A context property wins over a system property, as it did in logback.xml's ${...}. */
    private static String setting(LoggerContext context, String key, String otherwise) {
        String value = context.getProperty(key);
        if (value == null) {
            value = System.getProperty(key);
        }
        return value == null || value.isBlank() ? otherwise : value;
    }
}
