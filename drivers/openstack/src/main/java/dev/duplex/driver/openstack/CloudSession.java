package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.AuthenticationException;
import dev.duplex.api.DriverException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.UnreachableException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;

/**
 * A Keystone token for one endpoint, renewed before it expires. openstack4j keeps its session
 * per thread, so every call takes {@link #client()}, which binds the shared token to the
 * calling thread. The password is held only here and never shown.
 */
final class CloudSession {
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    private static final Config CONFIG = Config.newConfig().withConnectionTimeout(10_000).withReadTimeout(60_000);

    private final OpenstackSettings settings;
    private final CloudCredential credential;
    private Token token;

    CloudSession(OpenstackSettings settings, CloudCredential credential) {
        this.settings = requireNonNull(settings, "settings is null");
        this.credential = requireNonNull(credential, "credential is null");
        this.token = authenticate();
    }

    /** A client for the calling thread, with a token valid for a few minutes at least. */
    synchronized OSClientV3 client() {
        Instant expires = token.getExpires() == null ? Instant.MAX : token.getExpires().toInstant();
        if (Instant.now().plus(RENEW_BEFORE).isAfter(expires)) {
            token = authenticate();
        }
        return OSFactory.clientFromToken(token, CONFIG);
    }

    private Token authenticate() {
        ObjectId where = new ObjectId(ObjectKind.ENDPOINT, settings.endpoint());
        Identifier domain = Identifier.byName(settings.domain());
        try {
            if (credential instanceof CloudCredential.ApplicationCredential application) {
                return new ApplicationCredentialSignIn(settings, CONFIG).token(application);
            }
            return OSFactory.builderV3()
                    .endpoint(settings.authUrl())
                    .withConfig(CONFIG)
                    .credentials(settings.user(), ((CloudCredential.Password) credential).password(), domain)
                    .scopeToProject(Identifier.byName(settings.project()), domain)
                    .authenticate()
                    .getToken();
        } catch (ConnectionException e) {
            throw new UnreachableException("Endpoint '" + settings.endpoint() + "': Keystone at " + settings.authUrl()
                    + " could not be reached (" + OpenstackFaults.oneLine(e.getMessage()) + "); check the URI and that the cloud is up",
                    where, e);
        } catch (ResponseException e) {
            throw refused(e.getStatus(), OpenstackFaults.oneLine(e.getMessage()), OpenstackFaults.requestId(e), where, e);
        } catch (ApplicationCredentialSignIn.Refused e) {
            throw refused(e.status(), e.fault(), e.requestId(), where, e);
        }
    }

    private DriverException refused(int status, String fault, Optional<String> requestId, ObjectId where, Exception cause) {
        if (status == 401 || status == 403) {
            return new AuthenticationException("Endpoint '" + settings.endpoint() + "': Keystone refused "
                    + settings.describe() + " with " + credential + ", HTTP " + status
                    + requestId.map(id -> " (request " + id + ")").orElse("")
                    + (credential instanceof CloudCredential.Password
                            ? "; check the password in the credential file, the user and the project and domain properties"
                            : "; check the application credential's id or name and secret, and that it has not expired"),
                    where, cause);
        }
        return OpenstackFaults.byStatus(status, fault, requestId, "Authenticating " + settings.describe() + " for", where, cause);
    }
}
