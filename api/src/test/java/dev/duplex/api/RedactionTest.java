package dev.duplex.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedactionTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "local://admin:hunter2@host/?pass=hunter2&api_key=hunter2",
        "jdbc:postgresql://db/duplex?sslpassword=hunter2",
        "jdbc:postgresql://db/duplex?user=x&password=hunter2&ssl=true",
        "https://vc/sdk?token=hunter2",
        "https://keystone/v3?client_secret=hunter2",
        "https://keystone/v3?ACCESS_TOKEN=hunter2",
        "qemu+ssh://root:hunter2@host/system",
        "x://h/p;secret=hunter2",
        "x://h/p?Passphrase=hunter2#frag",
        "x://h/p?a=1&key=hunter2",
        "x://h/p?X-Auth-Token=hunter2",
    })
    void everyKnownSecretIsMaskedAndFound(String uri) {
        String redacted = Redaction.redactUri(uri);
        assertFalse(redacted.contains("hunter2"), redacted);
        assertFalse(Redaction.secretsIn(uri).isEmpty(), uri);
        assertTrue(Redaction.secretsIn(redacted).stream().allMatch(s -> s.startsWith("parameter") || s.contains("user-info")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "local:",
        "local:/var/lib/duplex",
        "qemu+ssh://root@host/system?keyfile=/root/.ssh/id_ed25519&no_verify=1",
        "qemu:///system?socket=/run/libvirt/libvirt-sock",
        "jdbc:postgresql://db:5432/duplex?sslmode=verify-full&sslkey=/etc/duplex/key.pk8",
        "https://vc.example/sdk",
    })
    void uriWithoutSecretsIsKeptAsItIs(String uri) {
        assertEquals(uri, Redaction.redactUri(uri));
        assertEquals(List.of(), Redaction.secretsIn(uri));
    }

    @ParameterizedTest
    @CsvSource({
        "local://admin:pw@host/?pass=x&api_key=y, 'a password in the user-info,parameter ''pass'',parameter ''api_key'''",
    })
    void secretsAreDescribedWithoutTheirValues(String uri, String expected) {
        assertEquals(List.of(expected.split(",")), Redaction.secretsIn(uri));
    }

    @org.junit.jupiter.api.Test
    void settingsNamedLikeSecretsAreMaskedInListings() {
        assertEquals(java.util.Map.of("type", "http", "role-token", "***", "member.kv-0.role-token", "***",
                "member.kv-0.port", "7000", "base", "https://u:***@h/"),
                Redaction.redactSettings(java.util.Map.of("type", "http", "role-token", "hunter2", "member.kv-0.role-token", "hunter2",
                        "member.kv-0.port", "7000", "base", "https://u:hunter2@h/")));
    }
}
