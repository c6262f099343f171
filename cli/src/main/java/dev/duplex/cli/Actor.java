package dev.duplex.cli;

import java.net.InetAddress;

/** Who is acting, for the audit log and job records: {@code user@host}. */
public final class Actor {
    private Actor() {}

    public static String current() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return System.getProperty("user.name", "unknown") + "@" + host;
    }
}
