package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;
import dev.duplex.api.Redaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A platform endpoint Duplex drives through one driver.
 *
 * @param name unique name, following {@link ObjectName}: it names the driver's work folder
 * @param driverKind the driver's kind ({@code local}, {@code kvm}, ...)
 * @param uri the platform URI; one holding a secret (see {@link Redaction#secretsIn}) is refused
 * @param credentialFile a reference to the file holding the secret (a path), never the secret
 * @param properties driver settings
 */
public record Endpoint(String name, String driverKind, String uri, Optional<String> credentialFile, Map<String, String> properties) {
    public Endpoint {
        ObjectName.check("endpoint", requireNonNull(name, "name is null"));
        requireNonNull(driverKind, "driverKind is null");
        requireNonNull(uri, "uri is null");
        requireNonNull(credentialFile, "credentialFile is null");
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
        // Secrets belong in the credential file: a URI or a property is stored, listed and audited as it is.
        List<String> secrets = new ArrayList<>(Redaction.secretsIn(uri));
        properties.keySet().stream().filter(Redaction::isSecretName).sorted().map(k -> "property '" + k + "'").forEach(secrets::add);
        if (!secrets.isEmpty()) {
            throw new IllegalArgumentException("Endpoint '" + name + "' would keep secrets in its URI or properties, which are stored, listed"
                    + " and audited as given (" + String.join(", ", secrets) + " in " + Redaction.redactUri(uri)
                    + "); put the secret in a file readable only by you (chmod 600) and pass it with --credential-file");
        }
    }
}
