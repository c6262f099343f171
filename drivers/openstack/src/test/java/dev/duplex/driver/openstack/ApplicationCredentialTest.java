package dev.duplex.driver.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.api.AuthenticationException;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.InvalidSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;

/**
 * Signing in with a Keystone application credential, by id and by name, against the peer's real
 * Keystone: the credential is made here by the test user, as a cloud's user makes one.
 */
@ExtendWith(OpenstackPeer.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApplicationCredentialTest implements OpenstackPeer.User {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final ObjectMapper json = new ObjectMapper();
    private OpenstackPeer peer;
    private String id;
    private String secret;

    @Override
    public void usePeer(OpenstackPeer peer) {
        this.peer = peer;
    }

    @BeforeAll
    void makeAnApplicationCredential() throws IOException {
        Identifier domain = Identifier.byName(peer.env("OS_DOMAIN_NAME"));
        Token token = OSFactory.builderV3().endpoint(peer.env("OS_AUTH_URL"))
                .credentials(peer.env("OS_USERNAME"), peer.env("OS_PASSWORD"), domain)
                .scopeToProject(Identifier.byName(peer.env("OS_PROJECT_NAME")), domain).authenticate().getToken();
        String body = json.writeValueAsString(Map.of("application_credential", Map.of("name", "duplex-" + run)));
        Request request = new Request.Builder().url(peer.env("OS_AUTH_URL") + "/users/" + token.getUser().getId() + "/application_credentials")
                .header("X-Auth-Token", token.getId()).post(RequestBody.create(MediaType.get("application/json"), body)).build();
        try (Response response = new OkHttpClient().newCall(request).execute()) {
            String text = response.body().string();
            assertEquals(201, response.code(), text);
            JsonNode credential = json.readTree(text).path("application_credential");
            id = credential.path("id").asText();
            secret = credential.path("secret").asText();
        }
    }

    private DriverConfig config(String credentialText) throws IOException {
        Path file = peer.state().resolve("app-credential-" + UUID.randomUUID());
        Files.writeString(file, credentialText);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        DriverConfig base = peer.driverConfig("app-credential", Map.of());
        return new DriverConfig(base.endpoint(), base.uri(), base.properties(), Optional.of(file), base.workDirectory());
    }

    @Test
    void anApplicationCredentialByIdSignsInToItsProject() throws IOException {
        try (HypervisorDriver driver = new OpenstackDriverProvider().connect(config("application_credential_id=" + id
                + "\napplication_credential_secret=" + secret + "\n"))) {
            driver.listVms();
            driver.listVolumes();
            driver.listImages();
        }
    }

    @Test
    void anApplicationCredentialByNameSignsInAsTheEndpointsUser() throws IOException {
        try (HypervisorDriver driver = new OpenstackDriverProvider().connect(config("# made by the test\napplication_credential_name=duplex-"
                + run + "\napplication_credential_secret=" + secret + "\n"))) {
            driver.listVolumes();
        }
    }

    @Test
    void aWrongSecretIsOneLineWithTheRequestIdAndWithoutEitherSecret() throws IOException {
        String wrong = "wrong-" + UUID.randomUUID();
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> new OpenstackDriverProvider().connect(
                config("application_credential_id=" + id + "\napplication_credential_secret=" + wrong + "\n")));
        assertTrue(e.getMessage().contains("application credential id " + id) && e.getMessage().contains("HTTP 401")
                && e.getMessage().contains("(request req-"), e.getMessage());
        assertFalse(e.getMessage().contains(wrong) || e.getMessage().contains(secret), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aCredentialFileThatIsNeitherIsRefusedWithoutShowingItsContent() throws IOException {
        InvalidSpecException both = assertThrows(InvalidSpecException.class, () -> new OpenstackDriverProvider().connect(
                config("application_credential_id=" + id + "\napplication_credential_name=x\napplication_credential_secret=" + secret)));
        assertTrue(both.getMessage().contains("one of them"), both.getMessage());
        InvalidSpecException stray = assertThrows(InvalidSpecException.class, () -> new OpenstackDriverProvider().connect(
                config("application_credential_secret=" + secret + "\npassword=hunter2\n")));
        assertTrue(stray.getMessage().contains("line 2"), stray.getMessage());
        assertFalse(stray.getMessage().contains("hunter2") || stray.getMessage().contains(secret), stray.getMessage());
    }
}
