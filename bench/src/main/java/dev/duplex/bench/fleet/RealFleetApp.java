package dev.duplex.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What the benchmark asks a light-application member over HTTP (the client load has its own calls). */
final class RealFleetApp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client;

    RealFleetApp(HttpClient client) {
        this.client = client;
    }

    /** A member's answer: its HTTP status and JSON body. */
    record Answer(int status, JsonNode body) {
        String text(String field) {
            return body.path(field).asText();
        }

        long number(String field) {
            return body.path(field).asLong(-1);
        }
    }

    Answer get(int port, String pathAndQuery) {
        return send(port, HttpRequest.newBuilder(uri(port, pathAndQuery)).GET());
    }

    Answer post(int port, String pathAndQuery) {
        return send(port, HttpRequest.newBuilder(uri(port, pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    Answer put(int port, String key, String value) {
        return send(port, HttpRequest.newBuilder(uri(port, "/kv/" + key)).PUT(HttpRequest.BodyPublishers.ofString(value)));
    }

    /** The SHA-256 of the member's first {@code upto} records (all of them when negative). */
    Answer checksum(int port, long upto) {
        return get(port, upto < 0 ? "/checksum" : "/checksum?upto=" + upto);
    }

    private static URI uri(int port, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    private Answer send(int port, HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
            return new Answer(response.statusCode(), body);
        } catch (IOException e) {
            throw new UncheckedIOException("The member on port " + port + " did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the member on port " + port, e);
        }
    }
}
