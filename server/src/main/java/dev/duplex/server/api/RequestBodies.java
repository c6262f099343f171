package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.duplex.api.VisibleText;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ProblemType;
import io.javalin.http.Context;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a request body into its record and refuses, with a 400 that names the field, what is not
 * that record: no body, malformed JSON, an unknown or mistyped field, a missing required one, a
 * null in a map. Each refusal shows the body expected.
 */
final class RequestBodies {
    private final ObjectMapper json;

    RequestBodies(ObjectMapper json) {
        this.json = requireNonNull(json, "json is null");
    }

    /** The body as {@code type}; {@code what} names the request ("The new VM"), {@code example} shows a valid body. */
    <T> T read(Context ctx, Class<T> type, String what, String example) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw new ApiException(ProblemType.VALIDATION, what + " has no body; send " + example);
        }
        try {
            T body = json.readValue(text, type);
            if (body == null) {
                throw new ApiException(ProblemType.VALIDATION, what + " is JSON null; send " + example);
            }
            return body;
        } catch (UnrecognizedPropertyException e) {
            throw new ApiException(ProblemType.VALIDATION, what + " has an unknown field '" + VisibleText.escape(e.getPropertyName())
                    + "'; send " + example);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            throw new ApiException(ProblemType.VALIDATION, what + (field.isEmpty() ? " is not the expected JSON object" : ": field '"
                    + VisibleText.escape(field) + "' has the wrong type") + "; send " + example);
        } catch (JsonProcessingException e) {
            throw new ApiException(ProblemType.VALIDATION, what + " is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + "); send " + example);
        }
    }

    /** A required text field: present and not blank. */
    static String required(String value, String field, String what) {
        if (value == null || value.isBlank()) {
            throw new ApiException(ProblemType.VALIDATION, what + " needs field '" + field + "'");
        }
        return value;
    }

    /** A required field of any type. */
    static <T> T required(T value, String field, String what) {
        if (value == null) {
            throw new ApiException(ProblemType.VALIDATION, what + " needs field '" + field + "'");
        }
        return value;
    }

    /** An optional map field: absent is empty; a null key or value is refused (JSON has no null key, but may send a null value). */
    static Map<String, String> map(Map<String, String> value, String field, String what) {
        if (value == null) {
            return Map.of();
        }
        value.forEach((k, v) -> {
            if (v == null) {
                throw new ApiException(ProblemType.VALIDATION, what + ": field '" + field + "." + VisibleText.escape(k)
                        + "' is null; give a text value or leave the entry out");
            }
        });
        return Map.copyOf(value);
    }

    /** The query flag {@code name}: absent or {@code false} is false, {@code true} is true, anything else is refused. */
    static boolean flag(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw new ApiException(ProblemType.VALIDATION, "Query parameter '" + name + "' is true or false, not '" + VisibleText.escape(value) + "'");
    }
}
