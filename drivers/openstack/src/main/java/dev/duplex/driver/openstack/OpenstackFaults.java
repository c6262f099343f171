package dev.duplex.driver.openstack;

import dev.duplex.api.AuthenticationException;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverException;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.UnreachableException;
import java.lang.reflect.Field;
import java.util.Optional;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.OS4JException;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.model.common.ActionResponse;
import org.openstack4j.openstack.internal.BaseOpenStackService;

/**
 * The one place where OpenStack's answers become Duplex's {@link DriverException}s: the HTTP
 * status picks the type, the message keeps what was done, on which object, OpenStack's own
 * fault text and its request id (what an operator quotes to the cloud's support).
 */
final class OpenstackFaults {
    private OpenstackFaults() {}

    /** Runs one call to OpenStack, translating its failure here, the one place that does it. */
    static <T> T calling(String action, ObjectId object, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw translate(e, action, object);
        }
    }

    /** Translates a failure of openstack4j while doing {@code action} on {@code object}. */
    static DriverException translate(RuntimeException failure, String action, ObjectId object) {
        if (failure instanceof DriverException driverException) {
            return driverException;
        }
        if (failure instanceof ConnectionException) {
            return new UnreachableException(action + " " + object + " failed: OpenStack could not be reached ("
                    + oneLine(failure.getMessage()) + "); check the endpoint's address and that the cloud is up", object, failure);
        }
        if (failure instanceof ResponseException response) {
            return byStatus(response.getStatus(), oneLine(response.getMessage()), requestId(response), action, object, failure);
        }
        if (failure instanceof OS4JException) {
            return new PlatformException(action + " " + object + " failed: " + oneLine(failure.getMessage()), object, failure);
        }
        throw failure;
    }

    /** Throws the translated failure when an action's answer is not a success. */
    static void check(ActionResponse response, String action, ObjectId object) {
        if (response != null && !response.isSuccess()) {
            throw byStatus(response.getCode(), oneLine(response.getFault()), Optional.empty(), action, object, null);
        }
    }

    static DriverException byStatus(int status, String fault, Optional<String> requestId, String action, ObjectId object,
            Throwable cause) {
        String said = "OpenStack answered HTTP " + status + (fault.isEmpty() ? "" : " '" + fault + "'")
                + requestId.map(id -> " (request " + id + ")").orElse("");
        String message = action + " " + object + " failed: " + said;
        return switch (status) {
            case 401 -> new AuthenticationException(message + "; check the credential file and the project and domain settings",
                    object, cause);
            case 403 -> fault.contains("Quota exceeded")
                    ? new PlatformException(message + "; free resources in the project or ask for a larger quota", object, cause)
                    : new AuthenticationException(message + "; the user lacks the permission, ask the cloud's operator for a role",
                    object, cause);
            case 404 -> new ObjectNotFoundException(object, cause);
            case 409 -> new ConflictException(message, object, cause);
            case 400, 413 -> new InvalidSpecException(message, object, cause);
            case 502, 503, 504 -> new UnreachableException(message + "; try again later", object, cause);
            default -> new PlatformException(message, object, cause);
        };
    }

    /**
     * The {@code X-Openstack-Request-Id} openstack4j read from the answer; it keeps it in a field
     * without a getter, so it is read by reflection (absent when the answer had none).
     */
    static Optional<String> requestId(ResponseException response) {
        try {
            Field field = ResponseException.class.getDeclaredField("requestId");
            field.setAccessible(true);
            return Optional.ofNullable((String) field.get(response)).filter(id -> !id.isBlank());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The request id of the last answer openstack4j read on this thread through {@code service}
     * (it keeps one per thread for all its services; absent when the answer had none).
     */
    static Optional<String> lastRequestId(Object service) {
        return service instanceof BaseOpenStackService openstack
                ? Optional.ofNullable(openstack.getXOpenstackRequestId()).filter(id -> !id.isBlank())
                : Optional.empty();
    }

    /** The request id a translated message quotes, to quote it again in a message that explains the refusal better. */
    static Optional<String> requestIdIn(String message) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\\(request (req-[0-9a-f-]+)\\)").matcher(message);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}
