package dev.duplex.driver.vmware;

import com.vmware.vim25.AlreadyExists;
import com.vmware.vim25.DuplicateName;
import com.vmware.vim25.FileAlreadyExists;
import com.vmware.vim25.FileNotFound;
import com.vmware.vim25.InvalidLogin;
import com.vmware.vim25.InvalidPowerState;
import com.vmware.vim25.InvalidState;
import com.vmware.vim25.LocalizedMethodFault;
import com.vmware.vim25.ManagedObjectNotFound;
import com.vmware.vim25.MethodFault;
import com.vmware.vim25.NotFound;
import com.vmware.vim25.TaskInProgress;
import dev.duplex.api.AuthenticationException;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.UnreachableException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.rmi.RemoteException;

/**
 * The one place where vSphere faults become Duplex's {@link DriverException}s. Each keeps the
 * fault's type name (as vSphere spells it, e.g. {@code InvalidPowerState}) and the object it was
 * about, and is one line. Messages never carry the password: a wrong login says only which user
 * on which endpoint.
 */
final class VsphereFaults {
    private VsphereFaults() {}

    /** {@code failure} of {@code action} (like "power on") on {@code object}, as a DriverException. */
    static DriverException translate(Throwable failure, String action, ObjectId object) {
        if (failure instanceof DriverException known) {
            return known;
        }
        Throwable cause = failure;
        // yavijava wraps transport and parse errors in RemoteException("VI SDK invoke exception: ...")
        while (!(cause instanceof MethodFault) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof MethodFault fault) {
            return translate(fault, action, object);
        }
        if (isTransport(failure)) {
            return new UnreachableException("Cannot " + action + " " + object + ": the vSphere endpoint did not answer ("
                    + oneLine(failure) + "); check that it is up and reachable", object, failure);
        }
        return new PlatformException("Cannot " + action + " " + object + ": " + oneLine(failure), object, failure);
    }

    /** A task's error, as the task reported it. */
    static DriverException translate(LocalizedMethodFault error, String action, ObjectId object) {
        MethodFault fault = error.getFault();
        if (fault != null) {
            if (error.getLocalizedMessage() != null && fault.getMessage() == null) {
                return describe(fault, error.getLocalizedMessage(), action, object);
            }
            return translate(fault, action, object);
        }
        return new PlatformException("Cannot " + action + " " + object + ": " + error.getLocalizedMessage(), object);
    }

    private static DriverException translate(MethodFault fault, String action, ObjectId object) {
        return describe(fault, fault.getMessage(), action, object);
    }

    private static DriverException describe(MethodFault fault, String detail, String action, ObjectId object) {
        String type = fault.getClass().getSimpleName();
        String says = detail == null || detail.isBlank() ? "" : ": " + detail.strip().replaceAll("\\s+", " ");
        if (fault instanceof ManagedObjectNotFound || fault instanceof FileNotFound || fault instanceof NotFound) {
            return new ObjectNotFoundException(object, fault);
        }
        if (fault instanceof InvalidLogin) {
            // No cause: nothing of the login, password included, travels further than this line.
            return new AuthenticationException("Cannot " + action + " " + object + ": vSphere refused the login (" + type
                    + "); check the user and the password file", object, null);
        }
        if (fault instanceof InvalidPowerState || fault instanceof InvalidState || fault instanceof TaskInProgress
                || fault instanceof DuplicateName || fault instanceof AlreadyExists || fault instanceof FileAlreadyExists) {
            return new ConflictException("Cannot " + action + " " + object + ": vSphere says " + type + says, object, fault);
        }
        return new PlatformException("Cannot " + action + " " + object + ": vSphere fault " + type + says, object, fault);
    }

    private static boolean isTransport(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException && !(t instanceof RemoteException) || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String oneLine(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.strip().replaceAll("\\s+", " ");
    }
}
