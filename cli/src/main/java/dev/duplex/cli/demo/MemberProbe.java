package dev.duplex.cli.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** Waits for a demo member's service to answer, over its HTTP API. */
public final class MemberProbe {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    public void awaitHealthy(String member, int port, Duration timeout) {
        await(member, port, "/health", "\"status\":\"ok\"", timeout, "report healthy");
    }

    public void awaitInSync(String member, int port, Duration timeout) {
        await(member, port, "/sync", "\"in_sync\":true", timeout, "catch up with its peer");
    }

    private void await(String member, int port, String path, String expected, Duration timeout, String what) {
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body().strip();
                if (response.statusCode() == 200 && response.body().replace(" ", "").contains(expected)) {
                    return;
                }
            } catch (IOException e) {
                last = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + member, e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + member, e);
            }
        }
        throw new IllegalStateException("Demo member " + member + " did not " + what + " within " + timeout.toSeconds()
                + " s (last answer: " + last + "); see its console.log under $DUPLEX_HOME/drivers/demo/vms");
    }
}
