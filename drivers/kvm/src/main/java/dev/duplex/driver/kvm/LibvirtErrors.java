package dev.duplex.driver.kvm;

import dev.duplex.api.AuthenticationException;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverException;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.Redaction;
import dev.duplex.api.UnreachableException;
import dev.duplex.api.UnsupportedOperationDriverException;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/**
 * The one place where libvirt's errors become {@link DriverException}s. Every translated
 * exception keeps libvirt's error code and message (redacted) in its text, names the object the
 * operation was about, and keeps the {@link LibvirtException} as its cause.
 */
final class LibvirtErrors {
    private LibvirtErrors() {}

    /** A libvirt call that may fail. */
    @FunctionalInterface
    interface Call<T> {
        T call() throws LibvirtException;
    }

    /** A libvirt call with no result that may fail. */
    @FunctionalInterface
    interface Action {
        void run() throws LibvirtException;
    }

    /** What the failing call was doing, for the message: an action, its object and the endpoint. */
    record Context(String endpoint, String action, ObjectId object, String operation) {
        Context {
            if (endpoint == null || action == null) {
                throw new IllegalArgumentException("endpoint and action are required");
            }
        }

        static Context of(String endpoint, String action, ObjectId object) {
            return new Context(endpoint, action, object, null);
        }

        /**
         * A context for an optional operation: libvirt's "not supported" becomes
         * {@link UnsupportedOperationDriverException} with the standard message for {@code operation}.
         */
        static Context optional(String endpoint, String action, ObjectId object, String operation) {
            return new Context(endpoint, action, object, operation);
        }
    }

    static <T> T call(Context context, Call<T> call) {
        try {
            return call.call();
        } catch (LibvirtException e) {
            throw translate(e, context);
        }
    }

    static void run(Context context, Action action) {
        try {
            action.run();
        } catch (LibvirtException e) {
            throw translate(e, context);
        }
    }

    /** libvirt's error code, or {@code VIR_ERR_UNKNOWN} when it gave none. */
    static Error.ErrorNumber code(LibvirtException e) {
        Error error = e.getError();
        return error == null || error.getCode() == null ? Error.ErrorNumber.VIR_ERR_UNKNOWN : error.getCode();
    }

    static boolean is(LibvirtException e, Error.ErrorNumber... codes) {
        Error.ErrorNumber code = code(e);
        for (Error.ErrorNumber c : codes) {
            if (c == code) {
                return true;
            }
        }
        return false;
    }

    /** Translates a failure to open a connection: system and RPC errors mean the endpoint is unreachable. */
    static DriverException translateConnect(LibvirtException e, String endpoint, String uri) {
        ObjectId object = new ObjectId(ObjectKind.ENDPOINT, endpoint);
        String text = "Could not connect to endpoint '" + endpoint + "' at " + Redaction.redactUri(uri) + ": " + describe(e);
        return switch (code(e)) {
            case VIR_ERR_AUTH_FAILED, VIR_ERR_AUTH_CANCELLED, VIR_ERR_AUTH_UNAVAILABLE, VIR_ERR_ACCESS_DENIED,
                    VIR_ERR_OPERATION_DENIED -> new AuthenticationException(
                            text + "; check the endpoint's user and credential file", object, e);
            case VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT, VIR_ERR_CONFIG_UNSUPPORTED -> new InvalidSpecException(
                    text + "; check the URI", object, e);
            default -> new UnreachableException(text + "; check that libvirtd runs and the URI is right", object, e);
        };
    }

    /** Translates a failed operation on an object. */
    static DriverException translate(LibvirtException e, Context context) {
        ObjectId object = context.object();
        boolean aboutEndpoint = object == null || object.kind() == ObjectKind.ENDPOINT;
        String text = "Could not " + context.action() + " "
                + (aboutEndpoint ? "endpoint '" + context.endpoint() + "'" : object + " on endpoint '" + context.endpoint() + "'")
                + ": " + describe(e);
        return switch (code(e)) {
            case VIR_ERR_NO_DOMAIN, VIR_ERR_NO_STORAGE_VOL, VIR_ERR_NO_STORAGE_POOL, VIR_ERR_NO_DOMAIN_SNAPSHOT ->
                    aboutEndpoint ? new PlatformException(text, object, e) : new ObjectNotFoundException(object, e);
            case VIR_ERR_NO_SUPPORT, VIR_ERR_OPERATION_UNSUPPORTED, VIR_ERR_ARGUMENT_UNSUPPORTED ->
                    context.operation() != null
                            ? new UnsupportedOperationDriverException(KvmDriverProvider.KIND, context.operation())
                            : new PlatformException(text, object, e);
            case VIR_ERR_AUTH_FAILED, VIR_ERR_AUTH_CANCELLED, VIR_ERR_AUTH_UNAVAILABLE, VIR_ERR_ACCESS_DENIED,
                    VIR_ERR_OPERATION_DENIED -> new AuthenticationException(text, object, e);
            case VIR_ERR_NO_CONNECT, VIR_ERR_INVALID_CONN, VIR_ERR_RPC, VIR_ERR_UNKNOWN_HOST, VIR_ERR_OPERATION_TIMEOUT,
                    VIR_ERR_SSH, VIR_ERR_LIBSSH, VIR_ERR_GNUTLS_ERROR, VIR_ERR_AGENT_UNRESPONSIVE ->
                    new UnreachableException(text, object, e);
            case VIR_ERR_OPERATION_INVALID, VIR_ERR_DOM_EXIST, VIR_ERR_STORAGE_VOL_EXIST, VIR_ERR_RESOURCE_BUSY,
                    VIR_ERR_BLOCK_COPY_ACTIVE, VIR_ERR_STORAGE_POOL_BUILT -> new ConflictException(text, object, e);
            case VIR_ERR_XML_ERROR, VIR_ERR_XML_DETAIL, VIR_ERR_XML_INVALID_SCHEMA, VIR_ERR_INVALID_ARG,
                    VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_NO_SOURCE, VIR_ERR_NO_TARGET, VIR_ERR_NO_NAME, VIR_ERR_NO_OS,
                    VIR_ERR_NO_KERNEL, VIR_ERR_OS_TYPE -> new InvalidSpecException(text, object, e);
            default -> new PlatformException(text, object, e);
        };
    }

    /** libvirt's message with its symbolic code, secrets in URIs masked. */
    static String describe(LibvirtException e) {
        Error error = e.getError();
        String message = error == null ? e.getMessage() : error.getMessage();
        return Redaction.redactUri(message == null ? "(no message)" : message.strip()) + " [" + code(e) + "]";
    }
}
