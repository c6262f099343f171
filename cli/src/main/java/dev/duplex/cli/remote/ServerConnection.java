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
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One Duplex server as the CLI talks to it: JSON over HTTP with the bearer token, and the
 * server's problem documents turned back into the exceptions (and so the messages and exit codes)
 * the in-process services throw. The token is sent in the header only, never shown.
 *
 * <p>{@link HttpURLConnection}, not {@code java.net.http.HttpClient}: the latter keeps a selector
 * thread in a native wait, and a JVM that exits with a thread in native waits 300 ms for it
 * (HotSpot's {@code VM_Exit}), which was a quarter of every remote command's time. A keep-alive
 * connection left behind here waits in Java, which does not hold the exit up.
 */
public final class ServerConnection {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final URI base;
    private final String token;
    private final Path tokenFile;
    private final ObjectMapper json;

    public ServerConnection(URI base, String token, Path tokenFile) {
        this.base = requireNonNull(base, "base is null");
        this.token = requireNonNull(token, "token is null");
        this.tokenFile = requireNonNull(tokenFile, "tokenFile is null");
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
        return send("GET", path, null);
    }

    <T> T get(String path, Class<T> type) {
        return convert(get(path), type);
    }

    JsonNode post(String path, Object body) {
        return send("POST", path, write(body).getBytes(StandardCharsets.UTF_8));
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null);
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

    /** A connection for one request: the token, no redirects, and no proxy (as before: a proxy another Java program is set up with must not see the token). */
    private HttpURLConnection open(String method, String path, String accept, Duration readTimeout) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) base.resolve(path).toURL().openConnection(Proxy.NO_PROXY);
        connection.setRequestMethod(method);
        connection.setInstanceFollowRedirects(false);
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) readTimeout.toMillis());
        connection.setRequestProperty("Authorization", "Bearer " + token);
        connection.setRequestProperty("Accept", accept);
        return connection;
    }

    private JsonNode send(String method, String path, byte[] body) {
        int status;
        String text;
        try {
            HttpURLConnection connection = open(method, path, "application/json", REQUEST_TIMEOUT);
            if (body != null) {
                connection.setRequestProperty("Content-Type", "application/json");
                connection.setDoOutput(true);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            status = connection.getResponseCode();
            text = read(status >= 400 ? connection.getErrorStream() : connection.getInputStream(), Integer.MAX_VALUE);
        } catch (IOException e) {
            throw unreachable(e);
        }
        if (status >= 400) {
            throw problem(status, text, path);
        }
        if (text.isBlank()) {
            return json.nullNode();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ServerProblemException(status, "The Duplex server at " + shownUrl() + " answered " + path
                    + " with something that is not JSON; is " + shownUrl() + " a Duplex server?", e);
        }
    }

    /** A response body read to its end (so the connection can be kept alive), at most {@code limit} bytes; none is empty. */
    private static String read(InputStream in, int limit) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readNBytes(limit), StandardCharsets.UTF_8);
        }
    }

    /** Opens a Server-Sent Events stream; the caller closes it. */
    InputStream events(String path, long lastEventId) {
        try {
            // no read timeout: a quiet job sends nothing for as long as a step takes
            HttpURLConnection connection = open("GET", path, "text/event-stream", Duration.ZERO);
            if (lastEventId > 0) {
                connection.setRequestProperty("Last-Event-ID", Long.toString(lastEventId));
            }
            int status = connection.getResponseCode();
            if (status >= 400) {
                throw problem(status, read(connection.getErrorStream(), 64 * 1024), path);
            }
            return connection.getInputStream();
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    ServerProblemException unreachable(IOException e) {
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            return new ServerProblemException(0, "Cannot reach the Duplex server at " + shownUrl() + " (connection refused); start it there"
                    + " with 'duplex server', or leave out --server (and duplex.server.url) to work on this host's database", e);
        }
        if (e instanceof SocketTimeoutException) {
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
