package dev.duplex.driver.vmware;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/** One file on vcsim's datastore {@code LocalDS_0}, read and written beside the driver (test names only: nothing to encode). */
final class VcsimDatastoreFile {
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI uri;

    VcsimDatastoreFile(URI vcsim, String path) {
        this.uri = vcsim.resolve("/folder/" + path + "?dcPath=" + VcsimVolumeProbe.DATACENTER + "&dsName=LocalDS_0");
    }

    Optional<byte[]> read() {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("vcsim answered HTTP " + response.statusCode() + " to GET " + uri);
        }
        return Optional.of(response.body());
    }

    void write(byte[] content) {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("vcsim answered HTTP " + response.statusCode() + " to PUT " + uri);
        }
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
