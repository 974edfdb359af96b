package dev.agentkernel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Audit details as compact JSON text. Values read back are {@link String}, {@link Boolean},
 * {@link Long} for integers (a {@link BigInteger} beyond its range) and {@link Double} for
 * other numbers; non-finite doubles are stored, and read back, as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}.
 */
final class DetailsCodec {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private DetailsCodec() {
    }

    /** Compact JSON of {@code details}, keeping their order. */
    static String encode(Map<String, Object> details) {
        Map<String, Object> plain = new LinkedHashMap<>();
        details.forEach((key, value) -> plain.put(key, plain(value)));
        try {
            return JSON.writeValueAsString(plain);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode audit details: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The details of JSON text written by {@link #encode}, in their order.
     *
     * @throws IllegalArgumentException if {@code json} is not a JSON object
     */
    static Map<String, Object> decode(String json) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details are not JSON: " + e.getOriginalMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("audit details are not a JSON object: " + json);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : tree.properties()) {
            details.put(field.getKey(), value(field.getValue()));
        }
        return Collections.unmodifiableMap(details);
    }

    /** Numbers of types JSON cannot write exactly become long or double. */
    private static Object plain(Object value) {
        return switch (value) {
            case Byte b -> b.longValue();
            case Short s -> s.longValue();
            case Integer i -> i.longValue();
            case AtomicInteger i -> i.longValue();
            case AtomicLong l -> l.longValue();
            case Long l -> l;
            case Float f -> f;
            case Double d -> d;
            case BigInteger b -> b;
            case BigDecimal b -> b;
            case Number n -> n.doubleValue();
            default -> value;
        };
    }

    private static Object value(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.toString(); // not written by encode: keep it as text rather than lose the event
    }
}
