package dev.duplex.cli.env;

import java.net.InetAddress;

/** Who runs this command, for job records: {@code user@host} (as the audit log names actors). */
final class Requester {
    private Requester() {
    }

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
