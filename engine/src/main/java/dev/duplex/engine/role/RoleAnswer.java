package dev.duplex.engine.role;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Optional;

/**
 * A member's JSON answer ({@code {"role":"ACT"}}), read with Jackson. The answer is untrusted:
 * it must be one JSON object and nothing else, and a field of the wrong type is refused naming it.
 */
final class RoleAnswer {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final JsonNode fields;

    private RoleAnswer(JsonNode fields) {
        this.fields = fields;
    }

    /** Parses {@code text}, which must be one JSON object and nothing else. */
    static RoleAnswer parse(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text == null ? "" : text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage() + " at offset " + e.getLocation().getCharOffset() + " in " + quote(text));
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got " + quote(text));
        }
        return new RoleAnswer(node);
    }

    /** A string field that must be present. */
    String string(String name) {
        JsonNode value = fields.get(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("field \"" + name + "\" must be a string, got " + describe(value));
        }
        return value.textValue();
    }

    Optional<String> optionalString(String name) {
        JsonNode value = fields.get(name);
        return value != null && value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
    }

    /** A boolean field that must be present. */
    boolean bool(String name) {
        JsonNode value = fields.get(name);
        if (value == null || !value.isBoolean()) {
            throw new IllegalArgumentException("field \"" + name + "\" must be true or false, got " + describe(value));
        }
        return value.booleanValue();
    }

    /** A whole-number field, if present; refuses a present field that is not a whole number. */
    Optional<Long> optionalLong(String name) {
        JsonNode value = fields.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isNumber() || !(value.canConvertToExactIntegral() && value.canConvertToLong())) {
            throw new IllegalArgumentException("field \"" + name + "\" must be a whole number, got " + describe(value));
        }
        return Optional.of(value.longValue());
    }

    private static String describe(JsonNode value) {
        return value == null || value.isNull() ? "nothing" : quote(value.toString());
    }

    /** Untrusted text for a message: at most 200 characters, quoted, with no control character reaching a log or a terminal. */
    static String quote(String text) {
        if (text == null) {
            return "nothing";
        }
        String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        StringBuilder out = new StringBuilder("'");
        for (char c : shown.toCharArray()) {
            if (c == '\n') {
                out.append("\\n");
            } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }
}
