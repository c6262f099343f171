package dev.duplex.example.kv;

import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The local stand-in for a pair's virtual IP: a TCP forwarding proxy. Clients connect to one fixed
 * port; each new connection is forwarded to the current backend, which {@link #repoint} changes
 * atomically. Connections already open stay on the backend they were made to and finish there (as
 * with a moved floating IP, established flows are not migrated); new ones go to the new backend.
 *
 * <p>Embedded: {@code ServiceAddress.start(0, "127.0.0.1:18081")}, then {@code repoint("127.0.0.1:18082")}.
 * Standalone: {@code java -cp kv.jar dev.duplex.example.kv.ServiceAddress --listen 18080
 * --backend 127.0.0.1:18081 [--admin 18089]}, repointed with
 * {@code curl -X POST 'http://127.0.0.1:18089/repoint?to=127.0.0.1:18082'}.
 *
 * <p>When the backend refuses the connection, the client's connection is reset at once, so the
 * client sees the failure immediately and can retry.
 */
public final class ServiceAddress implements Closeable {
    static {
        NoDelay.require();
    }

    private static final int CONNECT_TIMEOUT_MS = 1000;

    private final ServerSocket listener;
    private final AtomicReference<InetSocketAddress> backend;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "service-address");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private volatile HttpServer admin;
    private volatile boolean closed;

    private final java.util.function.Consumer<String> events;

    private ServiceAddress(ServerSocket listener, InetSocketAddress backend, java.util.function.Consumer<String> events) {
        this.listener = listener;
        this.backend = new AtomicReference<>(backend);
        this.events = events;
    }

    /** Listens on {@code listenPort} (0: any free port) of 127.0.0.1 and forwards to {@code backend} (host:port); events go to stdout. */
    public static ServiceAddress start(int listenPort, String backend) throws IOException {
        return start(listenPort, backend, System.out::println);
    }

    /** As {@link #start(int, String)}, with its event lines (repoints, accept failures) sent to {@code events}: an embedding program keeps its stdout. */
    public static ServiceAddress start(int listenPort, String backend, java.util.function.Consumer<String> events) throws IOException {
        ServerSocket listener = new ServerSocket(listenPort, 256, InetAddress.getLoopbackAddress());
        ServiceAddress address = new ServiceAddress(listener, parse(backend), events);
        address.threads.execute(address::acceptLoop);
        return address;
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** The backend new connections go to. */
    public InetSocketAddress backend() {
        return backend.get();
    }

    /** Sends new connections to {@code hostPort}; returns the previous backend. */
    public InetSocketAddress repoint(String hostPort) {
        InetSocketAddress next = parse(hostPort);
        InetSocketAddress previous = backend.getAndSet(next);
        events.accept(Instant.now() + " service-address :" + port() + " repointed " + format(previous) + " -> " + format(next));
        return previous;
    }

    /** Connections currently being forwarded. */
    public int activeConnections() {
        return active.get();
    }

    /** Connections accepted since the start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /**
     * Starts an HTTP admin endpoint on 127.0.0.1:{@code port} (0: any): {@code POST /repoint?to=host:port}
     * and {@code GET /backend}, both answering {@code {"backend":"host:port","port":N}}. For role
     * controllers that can only call URLs. Returns the admin port.
     */
    public int startAdmin(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String query = exchange.getRequestURI().getQuery();
                int status = 200;
                String body;
                if (path.equals("/repoint") && exchange.getRequestMethod().equals("POST") && query != null
                        && query.startsWith("to=")) {
                    try {
                        repoint(query.substring(3));
                        body = state();
                    } catch (IllegalArgumentException e) {
                        status = 400;
                        body = Json.object("error", e.getMessage());
                    }
                } else if (path.equals("/backend")) {
                    body = state();
                } else {
                    status = 404;
                    body = Json.object("error", "use POST /repoint?to=host:port or GET /backend");
                }
                byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
        admin = server;
        return server.getAddress().getPort();
    }

    private String state() {
        return Json.object("backend", format(backend()), "port", port(), "active", activeConnections());
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                threads.execute(() -> forward(client, backend.get())); // the backend is fixed per connection here
            } catch (IOException e) {
                if (!closed) {
                    events.accept(Instant.now() + " service-address accept failed: " + e);
                }
            }
        }
    }

    private void forward(Socket client, InetSocketAddress target) {
        active.incrementAndGet();
        Socket server = new Socket();
        try (client; server) {
            client.setTcpNoDelay(true);
            try {
                server.connect(target, CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                client.setSoLinger(true, 0); // reset: the client sees "connection reset" now, not a hang
                return;
            }
            server.setTcpNoDelay(true);
            // client -> server on another thread, server -> client on this one
            threads.execute(() -> pump(client, server));
            pump(server, client);
        } catch (IOException e) {
            // one side went away: closing both (try-with-resources) is all there is to do
        } finally {
            active.decrementAndGet();
        }
    }

    /** Copies until EOF, then half-closes the other side so the peer sees the end of the stream. */
    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (SocketException e) {
            closeQuietly(to); // a reset on one side is passed on as a close of the other
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
        }
        try {
            return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'", e);
        }
    }

    private static String format(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** Stops listening and the admin endpoint; connections being forwarded are cut. */
    @Override
    public void close() throws IOException {
        closed = true;
        if (admin != null) {
            admin.stop(0);
        }
        listener.close();
        threads.shutdownNow();
    }

    /** {@code ServiceAddress --listen PORT --backend HOST:PORT [--admin PORT]}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        if (!options.containsKey("--backend")) {
            System.err.println("usage: ServiceAddress --listen PORT --backend HOST:PORT [--admin PORT]");
            System.exit(2);
        }
        ServiceAddress address = start(Integer.parseInt(options.getOrDefault("--listen", "0")), options.get("--backend"));
        String admin = options.containsKey("--admin") ? ", admin :" + address.startAdmin(Integer.parseInt(options.get("--admin"))) : "";
        System.out.println(Instant.now() + " service-address listening on :" + address.port() + " -> "
                + format(address.backend()) + admin);
        Thread.currentThread().join();
    }
}
