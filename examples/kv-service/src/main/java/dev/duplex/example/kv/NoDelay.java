package dev.duplex.example.kv;

/**
 * The JDK's HTTP server leaves Nagle's algorithm on unless {@code sun.net.httpserver.nodelay} is
 * true. It writes an answer's headers and body as two segments, so on a kept-alive connection
 * (a role controller's HTTP client asks {@code GET /role}, then {@code POST /role} on the same
 * connection) the body waits for the client's delayed ACK: 40 ms on Linux for every answer, which
 * was most of a switchover's service gap (the old active's demote answer took 47 ms).
 * The server reads the property once, when its first instance is made, so it is set before that.
 */
final class NoDelay {
    static final String PROPERTY = "sun.net.httpserver.nodelay";

    private NoDelay() {
    }

    /** Sets the property unless the operator set it (to anything) on the command line. */
    static void require() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }
}
