package dev.duplex.engine.audit;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.net.InetAddress;

/**
 * Who runs this process, as the operating system knows it, for the audit log and job records:
 * {@code name(uid N)@host}.
 *
 * <p>The name comes from the kernel's real user id (through {@code getpwuid}), not from the
 * {@code user.name} system property, which anyone starting the JVM can set
 * ({@code -Duser.name=alice}) and which would then forge the audit log's actor.
 */
public final class OperatingSystemUser {
    private OperatingSystemUser() {}

    /** This process's user and host, e.g. {@code root(uid 0)@mgmt-1}. */
    public static String current() {
        return user() + "@" + host();
    }

    /** This process's user, e.g. {@code root(uid 0)}. */
    public static String user() {
        try {
            UnixSystem system = new UnixSystem();
            String name = system.getUsername();
            return (name == null || name.isBlank() ? "?" : name) + "(uid " + system.getUid() + ")";
        } catch (LinkageError | RuntimeException e) {
            // Not a POSIX system: no uid to read; say so rather than trust user.name.
            return "unknown-user(" + ProcessHandle.current().info().user().orElse("?") + ")";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
