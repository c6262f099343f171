package dev.duplex.server;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.SecretFile;
import dev.duplex.engine.config.ConfigKey;
import dev.duplex.engine.config.ConfigException;
import dev.duplex.engine.config.DuplexConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how the server listens.
 *
 * @param bind the address it listens on
 * @param port its TCP port (0: any free one, for tests)
 * @param tls the keystore, when it serves HTTPS
 * @param allowPlainHttp whether plain HTTP is allowed on a non-loopback address
 * @param drainTimeout on SIGTERM, how long running jobs may take to reach their next journal point
 */
public record ServerSettings(String bind, int port, Optional<Tls> tls, boolean allowPlainHttp, Duration drainTimeout) {
    /**
     * A PKCS#12 keystore and the file holding its password (both mode 600: they hold the server's
     * private key).
     */
    public record Tls(Path keystore, Path passwordFile) {
        public Tls {
            requireNonNull(keystore, "keystore is null");
            requireNonNull(passwordFile, "passwordFile is null");
        }

        /** The keystore's password, read now (never kept in the configuration). */
        public String password() {
            return new SecretFile(passwordFile, ConfigKey.SERVER_TLS_KEYSTORE_PASSWORD_FILE.key()).firstLine();
        }
    }

    public ServerSettings {
        requireNonNull(bind, "bind is null");
        requireNonNull(tls, "tls is null");
        requireNonNull(drainTimeout, "drainTimeout is null");
        if (port < 0 || port > 65535) {
            throw new ConfigException("Server port " + port + " is not a TCP port; give one from 1 to 65535");
        }
    }

    /** From the configuration, with the command line's {@code --port} and {@code --bind} winning. */
    public static ServerSettings from(DuplexConfig config, Optional<Integer> port, Optional<String> bind) {
        Optional<Tls> tls = config.get(ConfigKey.SERVER_TLS_KEYSTORE)
                .map(keystore -> new Tls(Path.of(keystore), Path.of(config.get(ConfigKey.SERVER_TLS_KEYSTORE_PASSWORD_FILE).orElseThrow())));
        return new ServerSettings(bind.orElse(config.get(ConfigKey.SERVER_BIND).orElse("127.0.0.1")),
                port.orElse(Integer.parseInt(config.get(ConfigKey.SERVER_PORT).orElse("8443"))), tls,
                config.flag(ConfigKey.SERVER_ALLOW_PLAIN_HTTP), config.duration(ConfigKey.SERVER_DRAIN_TIMEOUT));
    }

    /**
     * Refuses plain HTTP on an address other machines reach: every request carries a bearer token,
     * which would cross the network readable.
     */
    public void checkTransport() {
        if (tls.isPresent() || allowPlainHttp) {
            return;
        }
        if (!loopback(bind)) {
            throw new ConfigException("Refusing plain HTTP on " + bind + ", which is not a loopback address: API tokens would cross the"
                    + " network readable. Set " + ConfigKey.SERVER_TLS_KEYSTORE.key() + " and " + ConfigKey.SERVER_TLS_KEYSTORE_PASSWORD_FILE.key()
                    + " to serve HTTPS, bind to 127.0.0.1, or set " + ConfigKey.SERVER_ALLOW_PLAIN_HTTP.key()
                    + "=true if a proxy on this host terminates TLS");
        }
    }

    /** Whether {@code address} names only this host; a name is resolved, and every address it has must be loopback. */
    static boolean loopback(String address) {
        try {
            InetAddress[] all = InetAddress.getAllByName(address);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            throw new ConfigException("Server bind address '" + dev.duplex.api.VisibleText.escape(address)
                    + "' does not resolve; give an IP address or a host name of this machine", e);
        }
    }

    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }
}
