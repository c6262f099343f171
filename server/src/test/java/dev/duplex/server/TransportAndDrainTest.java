package dev.duplex.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.config.ConfigException;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import dev.duplex.engine.service.EngineUpgradeService;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeReport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** HTTPS from a PKCS#12 keystore, the refusal of plain HTTP off loopback, and the drain of SIGTERM. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransportAndDrainTest {
    private RunningServer running;
    private String viewer;

    @BeforeAll
    void start() throws Exception {
        running = new RunningServer();
        viewer = running.get(TokenService.class).create("tls-viewer", TokenRole.VIEWER, "test").secret();
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void servesHttpsFromAGeneratedPkcs12Keystore() throws Exception {
        Path dir = Files.createTempDirectory(running.home, "tls");
        Path keystore = dir.resolve("server.p12");
        Path passwordFile = dir.resolve("server.p12.password");
        String password = "changeit-" + System.nanoTime();
        Files.writeString(passwordFile, password + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        keytool("-genkeypair", "-alias", "duplex", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password);
        Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-------"));
        Path certificate = dir.resolve("server.crt");
        keytool("-exportcert", "-alias", "duplex", "-keystore", keystore.toString(), "-storepass", password, "-rfc", "-file", certificate.toString());

        // The configuration takes the keystore only as a private file, with its password in another.
        Path config = dir.resolve("duplex.properties");
        Files.writeString(config, "duplex.home=" + running.home.resolve("home") + "\nduplex.server.bind=127.0.0.1\nduplex.server.tls.keystore=" + keystore
                + "\nduplex.server.tls.keystore-password-file=" + passwordFile + "\n");
        DuplexConfig resolved = DuplexConfig.resolve(List.of(config), List.of(config), Map.of(), new Properties());
        ServerSettings settings = ServerSettings.from(resolved, Optional.of(0), Optional.empty());
        assertEquals("https", settings.scheme());

        DuplexServer server = running.start(settings);
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(certificate)).build();
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/api/v1/pairs"))
                    .header("Authorization", "Bearer " + viewer).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());

            // Plain HTTP to the TLS port gets no API answer.
            try {
                HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/api/v1/pairs")).header("Authorization", "Bearer " + viewer).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(plain.statusCode() >= 400 && !plain.body().startsWith("["), plain.statusCode() + " " + plain.body());
            } catch (IOException expected) {
                // the TLS connector closed the connection
            }
        } finally {
            server.stop();
        }

        Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-r--r--"));
        ConfigException shared = assertThrows(ConfigException.class,
                () -> DuplexConfig.resolve(List.of(config), List.of(config), Map.of(), new Properties()));
        assertTrue(shared.getMessage().contains("duplex.server.tls.keystore") && shared.getMessage().contains("chmod 600"), shared.getMessage());
    }

    @Test
    void plainHttpIsRefusedOnANonLoopbackAddressUnlessAllowed() {
        for (String address : List.of("0.0.0.0", "::")) {
            ServerSettings settings = new ServerSettings(address, 0, Optional.empty(), false, Duration.ofSeconds(5));
            ConfigException refused = assertThrows(ConfigException.class, () -> running.start(settings));
            assertTrue(refused.getMessage().contains("Refusing plain HTTP on " + address) && refused.getMessage().contains("duplex.server.tls.keystore"),
                    refused.getMessage());
        }
        new ServerSettings("127.0.0.1", 0, Optional.empty(), false, Duration.ofSeconds(5)).checkTransport();
        new ServerSettings("localhost", 0, Optional.empty(), false, Duration.ofSeconds(5)).checkTransport();
        new ServerSettings("0.0.0.0", 0, Optional.empty(), true, Duration.ofSeconds(5)).checkTransport();
        assertThrows(ConfigException.class, () -> new ServerSettings("no-such-host.invalid", 0, Optional.empty(), false, Duration.ofSeconds(5))
                .checkTransport());
    }

    @Test
    void drainingStopsARunningJobAtAJournalPointWhereItCanBeResumed() throws Exception {
        KvPair.prepare(running);
        KvPair pair = KvPair.start(running, "kvdrain");
        try {
            String operator = running.get(TokenService.class).create("drain-op", TokenRole.OPERATOR, "test").secret();
            DuplexServer server = running.start(RunningServer.loopback());
            Api api = Api.of(server);
            Api.Answer accepted = api.post("/api/v1/pairs/kvdrain/upgrades", operator, "{\"image\":\"kv-v2\"}");
            assertEquals(202, accepted.status(), accepted.toString());
            long jobId = accepted.json().get("job").asLong();

            server.drainAndStop(); // what SIGTERM runs

            JobQueue jobs = running.get(JobQueue.class);
            Job job = jobs.job(jobId).orElseThrow();
            List<StepRecord> journal = jobs.journal(jobId);
            assertEquals(JobState.PENDING, job.state(), "handed back for a resume: " + job + " " + journal);
            assertTrue(job.owner().isEmpty(), job.toString());
            assertFalse(journal.isEmpty());
            assertTrue(journal.stream().allMatch(line -> line.state() == StepState.DONE), "every step begun reached its journal point: " + journal);
            assertTrue(journal.size() < 9, "it stopped before the end: " + journal);
            assertThrows(IOException.class, () -> api.get("/health/live", null), "it stopped listening");

            UpgradeReport resumed = running.get(EngineUpgradeService.class).engine().resume(jobId, UpgradeListener.NONE);
            assertEquals(JobState.SUCCEEDED, resumed.state(), resumed.error().orElse(""));
        } finally {
            pair.stop();
        }
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("duplex", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool ran too long");
        assertEquals(0, process.exitValue(), "keytool " + String.join(" ", args) + ": " + output);
    }
}
