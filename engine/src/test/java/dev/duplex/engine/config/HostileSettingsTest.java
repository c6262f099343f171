package dev.duplex.engine.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every setting is checked: a misspelt or malformed one is one line naming the setting, where it
 * was set and what is allowed, never silently ignored and never a bare exception name.
 */
class HostileSettingsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "DUPLEX_DB_URLL, DUPLEX_DB_URL",
        "DUPLEX_UPGRADE_HEALTH_TIMOUT, DUPLEX_UPGRADE_HEALTH_TIMEOUT",
        "DUPLEX_HOM, DUPLEX_HOME",
        "DUPLEX_LOGLEVEL, DUPLEX_LOG_LEVEL",
    })
    void aMisspeltEnvironmentVariableIsNamedWithTheOneItMeant(String misspelt, String meant) {
        ConfigException e = assertThrows(ConfigException.class, () -> resolve(Map.of(misspelt, "x")));
        assertTrue(e.getMessage().contains("Unknown environment variable " + misspelt), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean " + meant + "?"), e.getMessage());
    }

    @Test
    void variablesDuplexGivesToVmsAndHooksAreNotSettingsButAreAccepted() {
        resolve(Map.of("DUPLEX_JAVA_OPTS", "-Xmx1g", "DUPLEX_VM_NAME", "kv-0", "DUPLEX_ROLE", "ACT", "PATH", "/bin"));
    }

    @Test
    void anEnvironmentVariableNameWithAnEscapeSequenceIsShownEscaped() {
        ConfigException e = assertThrows(ConfigException.class, () -> resolve(Map.of("DUPLEX_\u001b]0;owned\u0007", "x")));
        assertFalse(e.getMessage().contains("\u001b"), e.getMessage());
        assertTrue(e.getMessage().contains("\\x1b"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"LOUD", "verbose", "", "INFO;rm", "WARNING"})
    void aBadLogLevelNamesTheAllowedOnes(String level) {
        if (level.isEmpty()) {
            return; // blank means unset: the default applies
        }
        ConfigException e = assertThrows(ConfigException.class, () -> resolve(Map.of("DUPLEX_LOG_LEVEL", level)));
        assertTrue(e.getMessage().contains("duplex.log.level (from environment variable DUPLEX_LOG_LEVEL)"), e.getMessage());
        assertTrue(e.getMessage().contains("TRACE, DEBUG, INFO, WARN, ERROR, OFF"), e.getMessage());
    }

    @Test
    void logLevelsAreCaseInsensitive() {
        resolve(Map.of("DUPLEX_LOG_LEVEL", "debug"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1001", "99999", "ten", "1e3", "10.5", "0x10", "２０", "10;rm", "10 20", "\u001b[31m"})
    void aBadPoolSizeIsOneLineWithTheAllowedRange(String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> resolve(Map.of("DUPLEX_DB_POOL_SIZE", value)));
        assertTrue(e.getMessage().startsWith("duplex.db.pool-size (from environment variable DUPLEX_DB_POOL_SIZE) must be a whole number"
                + " of connections from 1 to 1000"), e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\u001b"), e.getMessage());
    }

    @Test
    void aPoolSizeWithinRangeIsTaken() {
        assertTrue(resolve(Map.of("DUPLEX_DB_POOL_SIZE", "210")).get(ConfigKey.DB_POOL_SIZE).orElseThrow().equals("210"));
        assertTrue(resolve(Map.of()).get(ConfigKey.DB_POOL_SIZE).isEmpty(), "unset: the database's default of 10");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "-PT5S", "30", "30s", "forever"})
    void aDurationMustBePositiveIso8601(String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> resolve(Map.of("DUPLEX_UPGRADE_HEALTH_TIMEOUT", value)));
        assertTrue(e.getMessage().contains("duplex.upgrade.health-timeout"), e.getMessage());
        assertTrue(e.getMessage().contains("PT30S"), e.getMessage());
    }

    @Test
    void aBinaryConfigurationFileIsNamedAsNotText() throws IOException {
        Path file = dir.resolve("binary.properties");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0xc3, 0x28});
        ConfigException e = assertThrows(ConfigException.class, () -> resolveFile(file));
        assertTrue(e.getMessage().contains(file + " is not UTF-8 text"), e.getMessage());
        assertFalse(e.getMessage().contains("Input length"), e.getMessage());
    }

    @Test
    void aConfigurationFileWithControlCharactersIsRefused() throws IOException {
        Path file = dir.resolve("ctl.properties");
        Files.writeString(file, "duplex.log.level=INFO\nduplex.db.user=a\u0000b\n");
        ConfigException e = assertThrows(ConfigException.class, () -> resolveFile(file));
        assertTrue(e.getMessage().contains("control character (line 2)"), e.getMessage());
    }

    @Test
    void aFolderOrAHugeFileIsNotAConfigurationFile() throws IOException {
        ConfigException folder = assertThrows(ConfigException.class, () -> resolveFile(dir));
        assertTrue(folder.getMessage().contains("is not a regular file"), folder.getMessage());
        Path huge = dir.resolve("huge.properties");
        Files.write(huge, new byte[2 << 20]);
        ConfigException big = assertThrows(ConfigException.class, () -> resolveFile(huge));
        assertTrue(big.getMessage().contains("more than a configuration file holds"), big.getMessage());
    }

    @Test
    void aMissingPasswordFileIsNamedNotAnExceptionClass() {
        Path missing = dir.resolve("no-such-password");
        ConfigException e = assertThrows(ConfigException.class,
                () -> resolve(Map.of("DUPLEX_DB_PASSWORD_FILE", missing.toString())));
        assertTrue(e.getMessage().contains("duplex.db.password-file (from environment variable DUPLEX_DB_PASSWORD_FILE) "
                + missing + " does not exist"), e.getMessage());
        assertFalse(e.getMessage().contains("NoSuchFileException"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r--r--", "rw-rw----", "rw-----w-", "rw----r--"})
    void aPasswordFileOthersCanReadOrWriteIsRefused(String mode) throws IOException {
        Path file = dir.resolve("pw");
        Files.writeString(file, "secret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        ConfigException e = assertThrows(ConfigException.class, () -> resolve(Map.of("DUPLEX_DB_PASSWORD_FILE", file.toString())));
        assertTrue(e.getMessage().contains("can be read or changed by other users"), e.getMessage());
        assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "jdbc:postgresql://db/duplex?password=hunter2",
        "jdbc:postgresql://db/duplex?user=d&sslpassword=hunter2",
        "jdbc:postgresql://admin:hunter2@db/duplex",
    })
    void aSecretInTheDatabaseUrlIsRefusedAndNotPrinted(String url) {
        ConfigException e = assertThrows(ConfigException.class, () -> resolve(Map.of("DUPLEX_DB_URL", url)));
        assertTrue(e.getMessage().contains("holds a secret"), e.getMessage());
        assertTrue(e.getMessage().contains("duplex.db.password-file"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void aPluginsFolderThatIsNotAFolderIsNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> resolve(Map.of("DUPLEX_PLUGINS_DIR", dir.resolve("nope").toString())));
        assertTrue(e.getMessage().contains("duplex.plugins.dir"), e.getMessage());
    }

    private static DuplexConfig resolve(Map<String, String> environment) {
        return DuplexConfig.resolve(List.of(), List.of(), environment, new Properties());
    }

    private static DuplexConfig resolveFile(Path file) {
        return DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties());
    }
}
