package dev.duplex.cli;

import java.net.InetAddress;

/** Who is acting, for the audit log and job records: {@code user@host}. */
final class Actor {
    private Actor() {}

    static String current() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return System.getProperty("user.name", "unknown") + "@" + host;
    }
}
