package dev.duplex.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.Map;
import java.util.TreeMap;

/** Turns string maps into the JSON of {@code jsonb} columns and back. */
final class JsonMaps {
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private final ObjectMapper mapper = new ObjectMapper();
    /** Built once: listing reads a map per row, and resolving the type per call showed in a profile. */
    private final ObjectReader stringMaps = mapper.readerFor(STRING_MAP);

    String write(Map<String, String> map) {
        try {
            return mapper.writeValueAsString(new TreeMap<>(map));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write a map as JSON", e);
        }
    }

    Map<String, String> read(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return Map.copyOf(stringMaps.<Map<String, String>>readValue(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a jsonb column does not hold a map of strings: " + e.getOriginalMessage(), e);
        }
    }
}
