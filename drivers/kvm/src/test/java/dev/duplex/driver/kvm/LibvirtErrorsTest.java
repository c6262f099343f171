package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.UnsupportedOperationDriverException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/** Real libvirt errors, raised by the test hypervisor, through the one translation. */
class LibvirtErrorsTest {
    private static final ObjectId VM = new ObjectId(ObjectKind.VM, "sip-a");
    private Connect connect;

    @BeforeEach
    void open() throws LibvirtException {
        LibvirtErrorLog.install();
        connect = new Connect("test:///default", false);
    }

    @AfterEach
    void close() throws LibvirtException {
        connect.close();
    }

    private DriverException translated(LibvirtErrors.Context context, LibvirtErrors.Action action) {
        LibvirtException raised = assertThrows(LibvirtException.class, action::run);
        DriverException e = LibvirtErrors.translate(raised, context);
        assertSame(raised, e.getCause() == null ? raised : e.getCause());
        return e;
    }

    @Test
    void notSupportedBecomesTheStandardUnsupportedMessage() {
        DriverException e = translated(LibvirtErrors.Context.optional("t", "attach a disk to", VM, "hot attach"),
                () -> connect.domainLookupByName("test").attachDevice(
                        "<disk type='file'><source file='/x'/><target dev='vdb' bus='virtio'/></disk>"));
        assertInstanceOf(UnsupportedOperationDriverException.class, e);
        assertEquals(UnsupportedOperationDriverException.standardMessage("kvm", "hot attach"), e.getMessage());
    }

    @Test
    void missingDomainIsNotFoundNamingIt() {
        DriverException e = translated(LibvirtErrors.Context.of("t", "start", VM), () -> connect.domainLookupByName("sip-a"));
        assertInstanceOf(ObjectNotFoundException.class, e);
        assertEquals("vm 'sip-a' not found", e.getMessage());
    }

    @Test
    void invalidOperationIsAConflictKeepingLibvirtsCodeAndMessage() throws LibvirtException {
        var stopped = connect.domainDefineXML("<domain type='test'><name>errors-" + System.nanoTime()
                + "</name><memory>65536</memory><os><type>hvm</type></os></domain>");
        try {
            DriverException e = translated(LibvirtErrors.Context.of("t", "power off", VM), stopped::destroy);
            assertInstanceOf(ConflictException.class, e);
            assertEquals("Could not power off vm 'sip-a' on endpoint 't': Requested operation is not valid: domain is not running"
                    + " [VIR_ERR_OPERATION_INVALID]", e.getMessage());
        } finally {
            stopped.undefine();
        }
    }

    @Test
    void endpointLevelFailuresDoNotClaimAnObjectIsMissing() {
        DriverException e = translated(LibvirtErrors.Context.of("t", "find storage pool 'gone' of",
                new ObjectId(ObjectKind.ENDPOINT, "t")), () -> connect.storagePoolLookupByName("gone"));
        assertEquals("Could not find storage pool 'gone' of endpoint 't': Storage pool not found: no storage pool with matching"
                + " name 'gone' [VIR_ERR_NO_STORAGE_POOL]", e.getMessage());
    }
}
