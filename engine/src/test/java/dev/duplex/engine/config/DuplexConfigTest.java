package dev.duplex.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuplexConfigTest {
    @TempDir
    Path dir;

    @Test
    void laterSourcesOverrideEarlierOnes() throws IOException {
        Path installed = write("installed.properties", "duplex.db.user=from-install\nduplex.db.url=jdbc:postgresql://a/x\nduplex.log.level=DEBUG\n");
        Path given = write("given.properties", "duplex.db.user=from-config\nduplex.db.url=jdbc:postgresql://b/x\n");
        Properties system = new Properties();
        system.setProperty("duplex.db.url", "jdbc:postgresql://d/x");

        DuplexConfig config = DuplexConfig.resolve(List.of(installed, given), List.of(given),
                Map.of("DUPLEX_DB_USER", "from-env", "DUPLEX_DB_URL", "jdbc:postgresql://c/x"), system);

        assertEquals("DEBUG", config.get(ConfigKey.LOG_LEVEL).orElseThrow());
        assertEquals("from-env", config.get(ConfigKey.DB_USER).orElseThrow());
        assertEquals("environment variable DUPLEX_DB_USER", config.source(ConfigKey.DB_USER));
        assertEquals("jdbc:postgresql://d/x", config.get(ConfigKey.DB_URL).orElseThrow());
        assertEquals(Duration.ofSeconds(30), config.duration(ConfigKey.JOB_STALE_AFTER));
    }

    @Test
    void dashesAndDotsBecomeUnderscoresInEnvironmentVariables() throws IOException {
        assertEquals("DUPLEX_DB_PASSWORD_FILE", ConfigKey.DB_PASSWORD_FILE.environmentVariable());
        Path password = write("pw", "secret\n");
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        DuplexConfig config = DuplexConfig.resolve(List.of(), List.of(), Map.of("DUPLEX_DB_PASSWORD_FILE", password.toString()), new Properties());
        assertEquals(password.toString(), config.get(ConfigKey.DB_PASSWORD_FILE).orElseThrow());
    }

    @Test
    void unknownKeyInAFileIsNamedWithTheFile() throws IOException {
        Path file = write("typo.properties", "duplex.db.ulr=jdbc:postgresql://x/y\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> DuplexConfig.resolve(List.of(file), List.of(), Map.of(), new Properties()));
        assertTrue(e.getMessage().contains("'duplex.db.ulr'"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void unknownSystemPropertyIsAnError() {
        Properties system = new Properties();
        system.setProperty("duplex.hmoe", "/x");
        ConfigException e = assertThrows(ConfigException.class,
                () -> DuplexConfig.resolve(List.of(), List.of(), Map.of(), system));
        assertTrue(e.getMessage().contains("-Dduplex.hmoe"), e.getMessage());
    }

    @Test
    void missingConfigFileGivenOnTheCommandLineIsAnError() {
        Path missing = dir.resolve("nope.properties");
        ConfigException e = assertThrows(ConfigException.class,
                () -> DuplexConfig.resolve(List.of(missing), List.of(missing), Map.of(), new Properties()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void badDurationNamesKeyAndSource() throws IOException {
        Path file = write("d.properties", "duplex.job.stale-after=30s\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> DuplexConfig.resolve(List.of(file), List.of(), Map.of(), new Properties()));
        assertTrue(e.getMessage().contains("duplex.job.stale-after") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void embeddedDatabaseIdlesTenMinutesByDefaultAndZeroMeansStopWithTheLastProcess() {
        assertEquals(Duration.ofMinutes(10), DuplexConfig.resolve(List.of(), List.of(), Map.of(), new Properties()).duration(ConfigKey.DB_IDLE_STOP));
        assertEquals(Duration.ZERO, DuplexConfig.resolve(List.of(), List.of(), Map.of("DUPLEX_DB_IDLE_STOP", "PT0S"), new Properties())
                .duration(ConfigKey.DB_IDLE_STOP));
        ConfigException e = assertThrows(ConfigException.class,
                () -> DuplexConfig.resolve(List.of(), List.of(), Map.of("DUPLEX_DB_IDLE_STOP", "-PT1M"), new Properties()));
        assertTrue(e.getMessage().contains("duplex.db.idle-stop") && e.getMessage().contains("DUPLEX_DB_IDLE_STOP"), e.getMessage());
        ConfigException tooLong = assertThrows(ConfigException.class,
                () -> DuplexConfig.resolve(List.of(), List.of(), Map.of("DUPLEX_DB_IDLE_STOP", "P1000000000000D"), new Properties()));
        assertTrue(tooLong.getMessage().contains("P3650D"), tooLong.getMessage());
    }

    @Test
    void homeDefaultsToDotDuplexInUserHome() {
        DuplexConfig config = DuplexConfig.resolve(List.of(), List.of(), Map.of(), new Properties());
        assertEquals(Path.of(System.getProperty("user.home"), ".duplex").toAbsolutePath(), config.home());
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
