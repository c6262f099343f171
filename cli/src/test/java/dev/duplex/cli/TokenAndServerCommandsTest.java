package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code duplex token ...} and the refusals of {@code duplex server}, through the real CLI and the embedded PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenAndServerCommandsTest {
    private String config;
    private Services keepDatabaseUp;

    @BeforeAll
    void start() throws IOException {
        Path dir = TestHome.create("duplex-cli-token");
        Path file = dir.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\n"); // the server stops with its last user, not 10 minutes after the test
        config = file.toString();
        keepDatabaseUp = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
    }

    @AfterAll
    void stop() {
        keepDatabaseUp.close();
    }

    @Test
    void aTokenIsShownOnceListedWithoutItsSecretAndRevoked() {
        CliRun created = CliRun.withConfig(config, "token", "create", "ci-deploy", "--role", "operator");
        assertEquals(0, created.exitCode(), created.toString());
        String secret = created.out().strip();
        assertTrue(secret.matches("dpx_[0-9a-f]{16}_[A-Za-z0-9_-]{43}"), "standard output is the token alone: " + created);
        assertTrue(created.err().contains("shown only now"), created.toString());
        assertEquals("ci-deploy", keepDatabaseUp.get(TokenService.class).authenticate(secret).orElseThrow().name());
        assertEquals(TokenRole.OPERATOR, keepDatabaseUp.get(TokenService.class).authenticate(secret).orElseThrow().role());

        CliRun list = CliRun.withConfig(config, "token", "list");
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().contains("ci-deploy") && list.out().contains("operator") && list.out().contains("live"), list.toString());
        assertFalse(list.out().contains(secret.substring(22)), "no secret in the list");

        CliRun taken = CliRun.withConfig(config, "token", "create", "ci-deploy", "--role", "viewer");
        assertEquals(1, taken.exitCode(), taken.toString());
        assertTrue(taken.err().contains("exists already") && taken.err().lines().count() == 1, taken.toString());

        assertEquals(0, CliRun.withConfig(config, "token", "revoke", "ci-deploy").exitCode());
        assertTrue(keepDatabaseUp.get(TokenService.class).authenticate(secret).isEmpty(), "revoked");
        CliRun again = CliRun.withConfig(config, "token", "revoke", "ci-deploy");
        assertEquals(1, again.exitCode(), again.toString());
    }

    @Test
    void badRolesAndNamesAreRefusedWithOneLine() {
        for (List<String> args : List.of(List.of("token", "create", "x", "--role", "root"), List.of("token", "create", "../x", "--role", "viewer"),
                List.of("token", "create", "x\u001b[31m", "--role", "viewer"))) {
            CliRun run = CliRun.withConfig(config, args.toArray(String[]::new));
            assertEquals(1, run.exitCode(), run.toString());
            assertEquals(1, run.err().lines().count(), run.toString());
            assertFalse(run.err().contains("\u001b"), "control characters shown escaped: " + run);
        }
        CliRun noRole = CliRun.withConfig(config, "token", "create", "x");
        assertEquals(2, noRole.exitCode(), noRole.toString());
    }

    @Test
    void theServerRefusesPlainHttpOffLoopbackBeforeItStarts() {
        CliRun run = CliRun.withConfig(config, "server", "--bind", "0.0.0.0", "--port", "0");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("Refusing plain HTTP on 0.0.0.0"), run.toString());
        CliRun badPort = CliRun.withConfig(config, "server", "--port", "70000");
        assertEquals(1, badPort.exitCode(), badPort.toString());
        assertTrue(badPort.err().contains("70000"), badPort.toString());
    }
}
