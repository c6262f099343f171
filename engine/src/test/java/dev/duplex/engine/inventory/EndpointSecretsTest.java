package dev.duplex.engine.inventory;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An endpoint is stored, listed and audited as given, so it must hold no secret: those go in the credential file. */
class EndpointSecretsTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "local://admin:hunter2@host/?pass=hunter2&api_key=hunter2",
        "qemu+ssh://root:hunter2@host/system",
        "https://vc/sdk?password=hunter2",
        "https://keystone/v3?application_credential_secret=hunter2",
    })
    void aUriWithASecretIsRefusedWithoutPrintingIt(String uri) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Endpoint("lab", "local", uri, Optional.empty(), Map.of()));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("--credential-file"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "api_key", "token", "client_secret"})
    void aPropertyNamedLikeASecretIsRefused(String property) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Endpoint("lab", "local", "local:", Optional.empty(), Map.of(property, "hunter2")));
        assertTrue(e.getMessage().contains("property '" + property + "'"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void aUriNamingAKeyFileIsAccepted() {
        new Endpoint("lab", "kvm", "qemu+ssh://root@host/system?keyfile=/root/.ssh/id", Optional.of("/root/pw"), Map.of("pool", "default"));
    }
}
