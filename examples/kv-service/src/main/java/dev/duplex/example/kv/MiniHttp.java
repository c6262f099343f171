package dev.duplex.example.kv;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a plain socket: one request per connection ({@code Connection: close}).
 *
 * <p>Why not {@code HttpURLConnection} or {@code HttpClient}: both pool connections and may silently
 * retry a request on a reused connection. The load client must see every failure (it counts and retries
 * them itself), and a new connection per request is what makes a repointed {@link ServiceAddress} take
 * effect at once. It also keeps the jar's start-up light.
 */
public final class MiniHttp {
    private MiniHttp() {
    }

    /** A response: status, headers (names in lower case) and body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        /** The body as UTF-8 text. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** A field of a flat JSON body, or null. */
        public String field(String name) {
            return Json.field(text(), name);
        }
    }

    /** Sends one request to {@code host:port}; {@code timeoutMillis} bounds the connect and each read. */
    public static Response send(String host, int port, String method, String target, byte[] body, int timeoutMillis)
            throws IOException {
        return send(host, port, method, target, body, timeoutMillis, Map.of());
    }

    /** {@link #send} with extra request headers (names and values must not hold CR or LF). */
    public static Response send(String host, int port, String method, String target, byte[] body, int timeoutMillis,
            Map<String, String> headers) throws IOException {
        StringBuilder extra = new StringBuilder();
        headers.forEach((name, value) -> {
            if ((name + value).indexOf('\r') >= 0 || (name + value).indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " holds a line break");
            }
            extra.append(name).append(": ").append(value).append("\r\n");
        });
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            byte[] payload = body == null ? new byte[0] : body;
            String head = method + " " + target + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nConnection: close\r\nContent-Length: " + payload.length + "\r\n" + extra + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /** {@link #send} to a {@code host:port} string. */
    public static Response send(String hostPort, String method, String target, byte[] body, int timeoutMillis)
            throws IOException {
        return send(hostPort, method, target, body, timeoutMillis, Map.of());
    }

    /** {@link #send} to a {@code host:port} string, with extra request headers. */
    public static Response send(String hostPort, String method, String target, byte[] body, int timeoutMillis,
            Map<String, String> headers) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        return send(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)), method, target, body,
                timeoutMillis, headers);
    }

    private static Response read(InputStream in) throws IOException {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: '" + status + "'");
        }
        Map<String, String> headers = new HashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunked(in);
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
            if (body.length != Integer.parseInt(length)) {
                throw new IOException("connection closed in the middle of the body");
            }
        } else {
            body = in.readAllBytes();
        }
        return new Response(Integer.parseInt(parts[1]), headers, body);
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
            if (size == 0) {
                line(in);
                return out.toByteArray();
            }
            out.write(in.readNBytes(size));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed before the response was complete");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
