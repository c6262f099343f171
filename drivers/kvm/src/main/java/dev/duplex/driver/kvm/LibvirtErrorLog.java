package dev.duplex.driver.kvm;

import com.sun.jna.Pointer;
import dev.duplex.api.Redaction;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virError;

/**
 * Stops libvirt from printing every error to stderr (its default when no handler is set) and
 * sends the errors to the JDK's {@link System.Logger} at debug level instead; the driver reports
 * them to its caller as exceptions anyway. libvirt's handler is process-wide, so this is
 * installed once; the callback is held strongly so JNA's native stub is never collected.
 */
final class LibvirtErrorLog implements Libvirt.VirErrorCallback {
    private static final Logger LOG = System.getLogger("dev.duplex.driver.kvm.libvirt");
    private static final LibvirtErrorLog INSTANCE = new LibvirtErrorLog();
    private static volatile boolean installed;

    private LibvirtErrorLog() {}

    /** Installs the handler once per process. */
    static void install() {
        if (installed) {
            return;
        }
        synchronized (LibvirtErrorLog.class) {
            if (!installed) {
                try {
                    Connect.setErrorCallback(INSTANCE);
                } catch (LibvirtException e) {
                    LOG.log(Level.WARNING, "Could not route libvirt's error messages to the log: {0}", LibvirtErrors.describe(e));
                }
                installed = true;
            }
        }
    }

    @Override
    public void errorCallback(Pointer userData, virError error) {
        if (error != null && LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "libvirt error {0}: {1}", error.code, Redaction.redactUri(error.message));
        }
    }
}
