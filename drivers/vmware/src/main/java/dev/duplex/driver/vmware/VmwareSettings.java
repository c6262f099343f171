package dev.duplex.driver.vmware;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.SecretFile;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * How to reach one vSphere endpoint, read from a {@link DriverConfig}: the URI
 * ({@code https://vcenter.example/sdk}, or {@code http://} for a simulator), the user (property
 * {@code user}) and the password (the endpoint's credential file, first line), and where to put
 * things: {@code datacenter}, {@code datastore}, {@code pool} (a resource pool's name; default: the
 * first found). The server's certificate is checked against {@code truststore} (a PKCS#12 or JKS
 * file; default: the JVM's) unless {@code insecure=true}.
 */
record VmwareSettings(URI sdk, String user, String password, boolean insecure, Optional<Path> trustStore,
        Optional<String> datacenter, Optional<String> datastore, Optional<String> pool) {
    static final Set<String> KEYS = Set.of("user", "insecure", "truststore", "datacenter", "datastore", "pool");

    static VmwareSettings from(DriverConfig config) {
        ObjectId endpoint = new ObjectId(ObjectKind.ENDPOINT, config.endpoint());
        for (String key : config.properties().keySet()) {
            if (!KEYS.contains(key)) {
                throw new InvalidSpecException("Unknown property '" + key + "' of VMware endpoint " + config.endpoint()
                        + "; known: " + String.join(", ", KEYS.stream().sorted().toList()), endpoint);
            }
        }
        URI uri;
        try {
            uri = new URI(config.uri());
        } catch (URISyntaxException e) {
            throw new InvalidSpecException("The URI of VMware endpoint " + config.endpoint() + " is not a URI ("
                    + config.redactedUri() + "); write it like https://vcenter.example/sdk", endpoint);
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getUserInfo() != null) {
            throw new InvalidSpecException("The URI of VMware endpoint " + config.endpoint() + " must be https://host/sdk"
                    + " without a user or password in it, not " + config.redactedUri(), endpoint);
        }
        String user = config.properties().get("user");
        if (user == null || user.isBlank()) {
            throw new InvalidSpecException("VMware endpoint " + config.endpoint() + " has no 'user' property; set the vSphere user",
                    endpoint);
        }
        Path passwordFile = config.credentialFile().orElseThrow(() -> new InvalidSpecException("VMware endpoint "
                + config.endpoint() + " has no password file; give it one (mode 0600, the password on its first line)", endpoint));
        String password;
        try {
            password = new SecretFile(passwordFile, "the password file of VMware endpoint " + config.endpoint()).firstLine();
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(e.getMessage(), endpoint);
        }
        String insecure = config.property("insecure", "false");
        if (!insecure.equals("true") && !insecure.equals("false")) {
            throw new InvalidSpecException("Property 'insecure' of VMware endpoint " + config.endpoint()
                    + " must be true or false, not '" + insecure + "'", endpoint);
        }
        return new VmwareSettings(uri, user, password, insecure.equals("true"),
                Optional.ofNullable(config.properties().get("truststore")).map(Path::of),
                Optional.ofNullable(config.properties().get("datacenter")),
                Optional.ofNullable(config.properties().get("datastore")),
                Optional.ofNullable(config.properties().get("pool")));
    }

    @Override
    public String toString() {
        return "VmwareSettings[" + sdk + ", user " + user + ", insecure " + insecure + "]";
    }
}
