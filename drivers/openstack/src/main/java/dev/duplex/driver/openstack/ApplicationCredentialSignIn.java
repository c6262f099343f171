package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.core.transport.Config;
import org.openstack4j.core.transport.ObjectMapperSingleton;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.identity.v3.domain.KeystoneToken;

/**
 * Signs in with a Keystone application credential, which openstack4j 3.12's builder cannot: one
 * {@code POST /v3/auth/tokens} with the {@code application_credential} method, through the same
 * OkHttp its connector uses; the answer becomes openstack4j's own token type, so the rest of the
 * driver uses it as any other. The secret goes into the request body only.
 */
final class ApplicationCredentialSignIn {
    private static final MediaType JSON = MediaType.get("application/json");

    private final OpenstackSettings settings;
    private final OkHttpClient http;

    ApplicationCredentialSignIn(OpenstackSettings settings, Config config) {
        this.settings = requireNonNull(settings, "settings is null");
        this.http = new OkHttpClient.Builder().connectTimeout(config.getConnectTimeout(), TimeUnit.MILLISECONDS)
                .readTimeout(config.getReadTimeout(), TimeUnit.MILLISECONDS).build();
    }

    /** Keystone said no: its status, fault text and request id (never the request's body). */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String fault;
        private final transient Optional<String> requestId;

        Refused(int status, String fault, Optional<String> requestId) {
            super("HTTP " + status + " " + fault);
            this.status = status;
            this.fault = fault;
            this.requestId = requestId;
        }

        int status() {
            return status;
        }

        String fault() {
            return fault;
        }

        Optional<String> requestId() {
            return requestId;
        }
    }

    Token token(CloudCredential.ApplicationCredential credential) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = json.createObjectNode();
        ObjectNode identity = body.putObject("auth").putObject("identity");
        identity.putArray("methods").add("application_credential");
        ObjectNode application = identity.putObject("application_credential");
        credential.id().ifPresent(id -> application.put("id", id));
        credential.name().ifPresent(name -> {
            // A name is unique per user only: the user (from the endpoint's URI) and its domain say whose.
            application.put("name", name);
            application.putObject("user").put("name", settings.user()).putObject("domain").put("name", settings.domain());
        });
        application.put("secret", credential.secret());
        String url = settings.authUrl().replaceAll("/+$", "") + "/auth/tokens";
        Request request;
        try {
            request = new Request.Builder().url(url).post(RequestBody.create(JSON, json.writeValueAsBytes(body))).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a token request", e);
        }
        try (Response response = http.newCall(request).execute()) {
            ResponseBody answer = response.body();
            String text = answer == null ? "" : answer.string();
            Optional<String> requestId = Optional.ofNullable(response.header("X-Openstack-Request-Id"));
            if (!response.isSuccessful()) {
                String fault = "";
                try {
                    fault = json.readTree(text).path("error").path("message").asText("");
                } catch (IOException e) {
                    // not Keystone's JSON error: the status says enough
                }
                throw new Refused(response.code(), OpenstackFaults.oneLine(fault), requestId);
            }
            KeystoneToken token = ObjectMapperSingleton.getContext(KeystoneToken.class).readerFor(KeystoneToken.class).readValue(text);
            token.setId(response.header("X-Subject-Token"));
            token.setEndpoint(settings.authUrl());
            return token;
        } catch (IOException e) {
            throw new ConnectionException(e.getMessage(), 0, e);
        }
    }
}
