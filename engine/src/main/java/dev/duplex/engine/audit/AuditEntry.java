package dev.duplex.engine.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Instant;
import java.util.Optional;

/**
 * One line of the audit log. The object's state before and after is structured (a record, a map
 * or a list turned into a JSON tree by Jackson, record components in snake case), never text
 * put together by hand.
 *
 * @param at when
 * @param actor who
 * @param action what ({@code endpoint.add}, {@code upgrade.run}, ...)
 * @param object on what ({@code pair/kv})
 * @param before the object before, if it existed
 * @param after the object after, if it exists
 */
public record AuditEntry(Instant at, Actor actor, String action, String object, Optional<JsonNode> before, Optional<JsonNode> after) {
    private static final ObjectMapper DETAILS = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    public AuditEntry {
        requireNonNull(at, "at is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(action, "action is null");
        requireNonNull(object, "object is null");
        before = requireNonNull(before, "before is null").map(JsonNode::deepCopy);
        after = requireNonNull(after, "after is null").map(JsonNode::deepCopy);
    }

    /**
     * An entry whose before and after are values (records, maps, lists, strings, numbers), serialised
     * by Jackson.
     */
    public static AuditEntry of(Instant at, Actor actor, String action, String object, Optional<?> before, Optional<?> after) {
        return new AuditEntry(at, actor, action, object, requireNonNull(before, "before is null").map(AuditEntry::tree),
                requireNonNull(after, "after is null").map(AuditEntry::tree));
    }

    /** The state before, as JSON text. */
    public Optional<String> beforeJson() {
        return before.map(JsonNode::toString);
    }

    /** The state after, as JSON text. */
    public Optional<String> afterJson() {
        return after.map(JsonNode::toString);
    }

    /** Reads JSON text as stored, e.g. by an audit log reading its rows back. */
    public static JsonNode parse(String json) {
        try {
            return DETAILS.readTree(requireNonNull(json, "json is null"));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("An audit detail is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode tree(Object value) {
        return DETAILS.valueToTree(value);
    }
}
