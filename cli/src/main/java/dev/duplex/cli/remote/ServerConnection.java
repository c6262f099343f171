package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.duplex.api.Redaction;
import dev.duplex.engine.inventory.InventoryConflictException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One Duplex server as the CLI talks to it: JSON over HTTP with the bearer token, and the
 * server's problem documents turned back into the exceptions (and so the messages and exit codes)
 * the in-process services throw. The token is sent in the header only, never shown.
 */
public final class ServerConnection {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final URI base;
    private final String token;
    private final Path tokenFile;
    private final HttpClient http;
    private final ObjectMapper json;

    public ServerConnection(URI base, String token, Path tokenFile) {
        this.base = requireNonNull(base, "base is null");
        this.token = requireNonNull(token, "token is null");
        this.tokenFile = requireNonNull(tokenFile, "tokenFile is null");
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
        this.json = mapper();
    }

    /** The mapper both ends use for engine values: Optional, Instant and Duration included; unknown fields ignored (a newer server may add some). */
    public static ObjectMapper mapper() {
        return new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    ObjectMapper json() {
        return json;
    }

    /** The server's address as shown in messages: any user-info redacted. */
    public String shownUrl() {
        return Redaction.redactUri(base.toString());
    }

    /** A path segment for a name the user typed: encoded, so no name can reach another resource. */
    static String segment(String name) {
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        // "." and ".." are path steps, not names: keep them a name.
        return encoded.replace(".", "%2E");
    }

    JsonNode get(String path) {
        return send(request(path).GET(), path);
    }

    <T> T get(String path, Class<T> type) {
        return convert(get(path), type);
    }

    JsonNode post(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(write(body))), path);
    }

    JsonNode delete(String path) {
        return send(request(path).DELETE(), path);
    }

    <T> T convert(JsonNode node, Class<T> type) {
        try {
            return json.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new ServerProblemException(0, "The Duplex server at " + shownUrl() + " answered a " + type.getSimpleName()
                    + " this CLI cannot read (" + e.getOriginalMessage() + "); use a CLI of the server's version", e);
        }
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a request body", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerProblemException(0, "Interrupted while waiting for the Duplex server at " + shownUrl(), e);
        }
        if (response.statusCode() >= 400) {
            throw problem(response.statusCode(), response.body(), path);
        }
        if (response.body() == null || response.body().isBlank()) {
            return json.nullNode();
        }
        try {
            return json.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new ServerProblemException(response.statusCode(), "The Duplex server at " + shownUrl() + " answered " + path
                    + " with something that is not JSON; is " + shownUrl() + " a Duplex server?", e);
        }
    }

    /** Opens a Server-Sent Events stream; the caller closes it. */
    InputStream events(String path, long lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream");
        if (lastEventId > 0) {
            request.header("Last-Event-ID", Long.toString(lastEventId));
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerProblemException(0, "Interrupted while waiting for the Duplex server at " + shownUrl(), e);
        }
        if (response.statusCode() >= 400) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            throw problem(response.statusCode(), body, path);
        }
        return response.body();
    }

    ServerProblemException unreachable(IOException e) {
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            return new ServerProblemException(0, "Cannot reach the Duplex server at " + shownUrl() + " (connection refused); start it there"
                    + " with 'duplex server', or leave out --server (and duplex.server.url) to work on this host's database", e);
        }
        if (e instanceof HttpTimeoutException) {
            return new ServerProblemException(0, "The Duplex server at " + shownUrl() + " did not answer in time; check that it runs"
                    + " ('duplex server') and that nothing between blocks it", e);
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ServerProblemException(0, "Cannot talk to the Duplex server at " + shownUrl() + " (" + why
                + "); check the URL and that 'duplex server' runs there", e);
    }

    /**
     * The exception the in-process service would have thrown for this answer: the server's detail
     * is the engine's message (it names the object and what to do), so it is kept as it is.
     */
    RuntimeException problem(int status, String body, String path) {
        Optional<String> detail = detail(body);
        return switch (status) {
            case 400 -> new IllegalArgumentException(detail.orElse("The Duplex server refused the request " + path + " as invalid"));
            case 401 -> new ServerProblemException(status, "The Duplex server at " + shownUrl() + " refused the token in " + tokenFile
                    + " (missing, unknown or revoked); create one on the server's host with 'duplex token create NAME --role operator'"
                    + " and store it in " + tokenFile + " (chmod 600)");
            case 403 -> new ServerProblemException(status, "The token in " + tokenFile + " may not do this on the Duplex server at "
                    + shownUrl() + detail.map(d -> " (" + d + ")").orElse("") + "; use a token with a higher role (viewer reads, operator"
                    + " runs upgrades and failovers, admin manages endpoints and tokens)");
            case 404 -> new ServerProblemException(status, detail.orElse("The Duplex server at " + shownUrl() + " has no " + path
                    + "; is it an older version than this CLI?"));
            case 409 -> new InventoryConflictException(detail.orElse("The Duplex server refused " + path + ": it conflicts with the current state"));
            case 503 -> new ServerProblemException(status, detail.orElse("The Duplex server at " + shownUrl() + " is not accepting this now")
                    + "; try again in a moment");
            default -> new ServerProblemException(status, detail.orElse("The Duplex server at " + shownUrl() + " failed on " + path
                    + " with HTTP " + status));
        };
    }

    private Optional<String> detail(String body) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode problem = json.readTree(body);
            JsonNode detail = problem == null ? null : problem.get("detail");
            return detail == null || !detail.isTextual() ? Optional.empty() : Optional.of(detail.asText());
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
