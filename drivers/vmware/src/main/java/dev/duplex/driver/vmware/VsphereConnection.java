package dev.duplex.driver.vmware;

import com.vmware.vim25.mo.ServiceInstance;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.UnreachableException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs in to a vSphere endpoint. The server's certificate is checked against the configured trust
 * store (or the JVM's); {@code insecure=true} skips the check, and then every connect says so in
 * a warning, so that it is not forgotten.
 */
final class VsphereConnection {
    private static final Logger log = LoggerFactory.getLogger(VsphereConnection.class);

    private final VmwareSettings settings;
    private final String endpoint;
    private final ObjectId where;

    VsphereConnection(VmwareSettings settings, String endpoint) {
        this.settings = settings;
        this.endpoint = endpoint;
        this.where = new ObjectId(ObjectKind.ENDPOINT, endpoint);
    }

    ServiceInstance login() {
        if (settings.insecure() && settings.sdk().getScheme().equals("https")) {
            log.warn("VMware endpoint {}: the server's certificate is NOT checked (insecure=true); anyone between here and {}"
                    + " can read the password. Trust its certificate instead (property 'truststore')", endpoint, settings.sdk().getHost());
        }
        try {
            if (settings.insecure()) {
                return new ServiceInstance(settings.sdk().toURL(), settings.user(), settings.password(), true);
            }
            if (settings.trustStore().isPresent()) {
                return new ServiceInstance(settings.sdk().toURL(), settings.user(), settings.password(), trustManager());
            }
            return new ServiceInstance(settings.sdk().toURL(), settings.user(), settings.password(), false);
        } catch (Exception e) {
            if (causedBy(e, SSLHandshakeException.class)) {
                throw new UnreachableException("The certificate of VMware endpoint " + endpoint + " (" + settings.sdk().getHost()
                        + ") is not trusted; import it into a trust store (keytool -importcert -file vcenter.pem -keystore"
                        + " trust.p12) and set the endpoint's 'truststore' property to it", where, null);
            }
            // Never the password: the fault's text is vSphere's, the user is ours.
            throw VsphereFaults.translate(e, "log in as " + settings.user() + " to", where);
        }
    }

    /** The TLS context for datastore file transfers, trusting what the SOAP connection trusts. */
    SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            if (settings.insecure()) {
                context.init(null, new TrustManager[] {new TrustingEverything()}, null);
            } else if (settings.trustStore().isPresent()) {
                context.init(null, new TrustManager[] {trustManager()}, null);
            } else {
                return SSLContext.getDefault();
            }
            return context;
        } catch (GeneralSecurityException e) {
            throw new InvalidSpecException("Cannot set up TLS for VMware endpoint " + endpoint + ": " + e.getMessage(), where, e);
        }
    }

    private X509TrustManager trustManager() {
        var path = settings.trustStore().orElseThrow();
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(in, null);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new GeneralSecurityException("no X.509 trust manager");
        } catch (Exception e) {
            throw new InvalidSpecException("The trust store " + path + " of VMware endpoint " + endpoint + " cannot be read ("
                    + e.getClass().getSimpleName() + "); give a PKCS#12 or JKS file made with keytool -importcert", where, e);
        }
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Only ever used with insecure=true, which warns at every connect. */
    private static final class TrustingEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
