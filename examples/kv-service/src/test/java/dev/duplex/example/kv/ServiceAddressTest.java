package dev.duplex.example.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceAddressTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    /** A line-echo backend that prefixes each line with its name: tells which backend a connection reached. */
    private String backend(String name) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(server);
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    new Thread(() -> {
                        try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                                StandardCharsets.UTF_8)); PrintWriter out = new PrintWriter(socket.getOutputStream(), true)) {
                            for (String line = in.readLine(); line != null; line = in.readLine()) {
                                out.println(name + ":" + line);
                            }
                        } catch (IOException ignored) {
                            // client went away
                        }
                    }).start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return "127.0.0.1:" + server.getLocalPort();
    }

    private static String ask(Socket socket, String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @Test
    void newConnectionsFollowTheRepointAndOpenOnesStay() throws IOException {
        String a = backend("A");
        String b = backend("B");
        ServiceAddress address = ServiceAddress.start(0, a);
        closeables.add(address);
        try (Socket before = new Socket("127.0.0.1", address.port())) {
            assertEquals("A:hello", ask(before, "hello"));
            InetSocketAddress previous = address.repoint(b);
            assertEquals(a, previous.getHostString() + ":" + previous.getPort());
            assertEquals(b, "127.0.0.1:" + address.backend().getPort());
            try (Socket after = new Socket("127.0.0.1", address.port())) {
                assertEquals("B:hi", ask(after, "hi"));
            }
            assertEquals("A:still", ask(before, "still"), "an open connection finishes on the old backend");
        }
    }

    @Test
    void anUnreachableBackendFailsTheClientAtOnce() throws IOException {
        ServiceAddress address = ServiceAddress.start(0, "127.0.0.1:" + KvProcess.freePort());
        closeables.add(address);
        long started = System.nanoTime();
        assertThrows(IOException.class, () -> MiniHttp.send("127.0.0.1", address.port(), "GET", "/health", null, 1000));
        long millis = (System.nanoTime() - started) / 1_000_000;
        org.junit.jupiter.api.Assertions.assertTrue(millis < 900, "failed after " + millis + " ms, not at once");
    }

    @Test
    void theAdminEndpointRepoints() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            byte[] body = "from http".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        closeables.add(() -> http.stop(0));
        ServiceAddress address = ServiceAddress.start(0, backend("A"));
        closeables.add(address);
        int admin = address.startAdmin(0);
        String target = "127.0.0.1:" + http.getAddress().getPort();
        MiniHttp.Response answer = MiniHttp.send("127.0.0.1", admin, "POST", "/repoint?to=" + target, null, 2000);
        assertEquals(200, answer.status());
        assertEquals(target, answer.field("backend"));
        assertEquals("from http", MiniHttp.send("127.0.0.1", address.port(), "GET", "/", null, 2000).text());
        assertEquals(400, MiniHttp.send("127.0.0.1", admin, "POST", "/repoint?to=nonsense", null, 2000).status());
    }
}
