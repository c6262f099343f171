package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * libvirt prints every error to the process's stderr ("libvirt: Test Driver error : Domain not
 * found") unless a handler is set; the driver sets one. Checked in a child JVM, since libvirt
 * writes to file descriptor 2 directly.
 */
class LibvirtErrorLogTest {
    /** The child: fails a lookup, with or without the driver's handler. */
    public static void main(String[] args) throws LibvirtException {
        if (args[0].equals("driver")) {
            LibvirtErrorLog.install();
        }
        Connect connect = new Connect("test:///default", false);
        try {
            connect.domainLookupByName("no-such-domain");
        } catch (LibvirtException expected) {
            System.out.println("caught " + expected.getError().getCode());
        }
        connect.close();
    }

    private static String stderrOf(String mode) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                LibvirtErrorLogTest.class.getName(), mode)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        return stderr;
    }

    @Test
    void libvirtPrintsNothingToStderrOnceTheDriversHandlerIsSet() throws Exception {
        assertTrue(stderrOf("plain").contains("Domain not found"), "libvirt's default handler prints (else this test proves nothing)");
        assertEquals("", stderrOf("driver"));
    }
}
