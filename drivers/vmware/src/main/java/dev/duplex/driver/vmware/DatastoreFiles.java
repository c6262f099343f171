package dev.duplex.driver.vmware;

import dev.duplex.api.ObjectId;
import dev.duplex.api.PlatformException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Small files on a datastore through the HTTP file transfer vSphere offers at
 * {@code /folder/<path>?dcPath=<datacenter>&dsName=<datastore>}, authenticated with the SOAP
 * session's cookie. Used for a volume's description beside its disk and for a VM's nvram.
 */
final class DatastoreFiles {
    private final HttpClient http;
    private final URI base;
    private final String datacenter;
    private final String datastore;
    private final String sessionCookie;

    DatastoreFiles(HttpClient http, URI sdk, String datacenter, String datastore, String sessionCookie) {
        this.http = http;
        this.base = sdk.resolve("/folder/");
        this.datacenter = datacenter;
        this.datastore = datastore;
        this.sessionCookie = sessionCookie;
    }

    /** The file's bytes on the driver's datastore, or empty when there is no such file. */
    Optional<byte[]> read(String path, ObjectId object) {
        return read(new DatastorePath(datastore, path), object);
    }

    void write(String path, byte[] content, ObjectId object) {
        write(new DatastorePath(datastore, path), content, object);
    }

    /** The file's bytes, or empty when there is no such file. */
    Optional<byte[]> read(DatastorePath file, ObjectId object) {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri(file)).GET(), file.toString(), object);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        check(response, "read", file.toString(), object);
        return Optional.of(response.body());
    }

    /** Replaces the file's content (creating it and its folders if needed). */
    void write(DatastorePath file, byte[] content, ObjectId object) {
        check(send(HttpRequest.newBuilder(uri(file)).PUT(HttpRequest.BodyPublishers.ofByteArray(content)), file.toString(), object),
                "write", file.toString(), object);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request, String path, ObjectId object) {
        try {
            return http.send(request.header("Cookie", sessionCookie).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw VsphereFaults.translate(e, "transfer datastore file " + path + " of", object);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw VsphereFaults.translate(e, "transfer datastore file " + path + " of", object);
        }
    }

    private static void check(HttpResponse<byte[]> response, String action, String path, ObjectId object) {
        if (response.statusCode() / 100 != 2) {
            throw new PlatformException("Cannot " + action + " datastore file " + path + " of " + object
                    + ": vSphere answered HTTP " + response.statusCode(), object);
        }
    }

    /**
     * The transfer URL of {@code file}: every path part and query value percent-encoded on its own
     * (UTF-8), never a raw name, so a space, '?', '#', '%' or '&' in a name stays part of that name.
     * {@link DatastorePath} has already refused empty, '.' and '..' parts.
     */
    URI uri(DatastorePath file) {
        return base.resolve(encodePath(file.path()) + "?dcPath=" + encode(datacenter) + "&dsName=" + encode(file.datastore()));
    }

    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String part : path.split("/", -1)) {
            out.append(out.length() == 0 ? "" : "/").append(encode(part));
        }
        return out.toString();
    }

    private static String encode(String text) {
        // URLEncoder is for forms: '+' for a space and '*' left bare; a URL path wants %20 and %2A.
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    }
}
