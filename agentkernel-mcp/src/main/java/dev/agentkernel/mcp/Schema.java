package dev.agentkernel.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON Schema of an object, built property by property: a tool's input schema (what it takes,
 * which of it is required) or its output schema (what its structured result holds). Package-private.
 */
final class Schema {

    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final List<String> required = new ArrayList<>();

    private Schema() {
    }

    static Schema object() {
        return new Schema();
    }

    private Schema add(String name, Map<String, Object> property, boolean isRequired) {
        properties.put(name, property);
        if (isRequired) {
            required.add(name);
        }
        return this;
    }

    private static Map<String, Object> typed(Object type, String description) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", type);
        if (description != null) {
            p.put("description", description);
        }
        return p;
    }

    Schema string(String name, String description, boolean isRequired) {
        return add(name, typed("string", description), isRequired);
    }

    /** A string or null (an output field that may be absent). */
    Schema nullableString(String name, String description) {
        return add(name, typed(List.of("string", "null"), description), false);
    }

    /** A string with a fixed set of values. */
    Schema choice(String name, String description, List<String> values, String fallback) {
        Map<String, Object> p = typed("string", description);
        p.put("enum", values);
        if (fallback != null) {
            p.put("default", fallback);
        }
        return add(name, p, false);
    }

    Schema number(String name, String description, boolean isRequired) {
        return add(name, typed("number", description), isRequired);
    }

    /** A number with a default (an optional input). */
    Schema number(String name, String description, Number fallback) {
        Map<String, Object> p = typed("number", description);
        p.put("default", fallback);
        return add(name, p, false);
    }

    Schema integer(String name, String description, boolean isRequired) {
        return add(name, typed("integer", description), isRequired);
    }

    Schema nullableInteger(String name, String description) {
        return add(name, typed(List.of("integer", "null"), description), false);
    }

    Schema bool(String name, String description, boolean isRequired) {
        return add(name, typed("boolean", description), isRequired);
    }

    /** A boolean with a default (an optional input). */
    Schema flag(String name, String description, boolean fallback) {
        Map<String, Object> p = typed("boolean", description);
        p.put("default", fallback);
        return add(name, p, false);
    }

    Schema strings(String name, String description, boolean isRequired) {
        Map<String, Object> p = typed("array", description);
        p.put("items", Map.of("type", "string"));
        return add(name, p, isRequired);
    }

    /** An array of objects (described loosely). */
    Schema objects(String name, String description, boolean isRequired) {
        Map<String, Object> p = typed("array", description);
        p.put("items", Map.of("type", "object"));
        return add(name, p, isRequired);
    }

    /** An object, or null. */
    Schema nullableObject(String name, String description) {
        return add(name, typed(List.of("object", "null"), description), false);
    }

    Schema object(String name, String description, boolean isRequired) {
        return add(name, typed("object", description), isRequired);
    }

    /** A property whose schema is given in full (e.g. several types). */
    Schema raw(String name, Map<String, Object> property, boolean isRequired) {
        return add(name, new LinkedHashMap<>(property), isRequired);
    }

    /** The property names, for checking the arguments of a call. */
    java.util.Set<String> names() {
        return java.util.Set.copyOf(properties.keySet());
    }

    /** The schema as the SDK takes it. */
    Map<String, Object> toMap() {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", new LinkedHashMap<>(properties));
        schema.put("required", List.copyOf(required));
        return schema;
    }
}
