package dev.agentkernel.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON value against a schema made by {@link JsonSchemas} (the subset it uses: type,
 * properties, required, items, additionalProperties, enum, const, anyOf, oneOf and
 * {@code #/components/schemas/} references), for tests that an answer has the described shape.
 */
public final class SchemaCheck {

    private final Map<String, ?> components;

    /** @param components the named schemas references point to (empty for inline schemas) */
    public SchemaCheck(Map<String, ?> components) {
        this.components = components;
    }

    /** What is wrong with {@code value}; empty when it matches {@code schema}. */
    public List<String> problems(JsonNode value, Object schema) {
        List<String> problems = new ArrayList<>();
        check(value, WireJson.tree(schema), "$", problems);
        return problems;
    }

    private void check(JsonNode value, JsonNode schema, String at, List<String> problems) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().replace("#/components/schemas/", "");
            Object target = components.get(name);
            if (target == null) {
                problems.add(at + ": unknown reference " + name);
                return;
            }
            check(value, WireJson.tree(target), at, problems);
            return;
        }
        for (String key : List.of("anyOf", "oneOf")) {
            if (schema.has(key)) {
                int matches = 0;
                for (JsonNode option : schema.get(key)) {
                    List<String> p = new ArrayList<>();
                    check(value, option, at, p);
                    if (p.isEmpty()) {
                        matches++;
                    }
                }
                if (matches == 0 || (key.equals("oneOf") && matches > 1)) {
                    problems.add(at + ": matches " + matches + " of " + key + " " + schema.get(key));
                }
            }
        }
        if (schema.has("type")) {
            List<String> types = new ArrayList<>();
            if (schema.get("type").isArray()) {
                schema.get("type").forEach(t -> types.add(t.asText()));
            } else {
                types.add(schema.get("type").asText());
            }
            if (types.stream().noneMatch(t -> is(value, t))) {
                problems.add(at + ": " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " "
                        + abbreviate(value.toString()) + " is not " + types);
                return;
            }
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode option : schema.get("enum")) {
                found |= option.equals(value);
            }
            if (!found) {
                problems.add(at + ": " + value + " is not one of " + schema.get("enum"));
            }
        }
        if (schema.has("const") && !schema.get("const").equals(value)) {
            problems.add(at + ": " + value + " is not " + schema.get("const"));
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asText())) {
                    problems.add(at + ": " + required.asText() + " is missing");
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (properties.has(field.getKey())) {
                    check(field.getValue(), properties.get(field.getKey()), at + "." + field.getKey(), problems);
                } else if (schema.has("additionalProperties") && schema.get("additionalProperties").isObject()) {
                    check(field.getValue(), schema.get("additionalProperties"), at + "." + field.getKey(), problems);
                } else if (schema.has("properties") && !schema.path("additionalProperties").asBoolean(true)) {
                    problems.add(at + ": " + field.getKey() + " is not described");
                }
            }
        }
        if (value.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode item : value) {
                check(item, schema.get("items"), at + "[" + i++ + "]", problems);
            }
        }
    }

    private static boolean is(JsonNode value, String type) {
        switch (type) {
            case "string":
                return value.isTextual();
            case "integer":
                return value.isIntegralNumber();
            case "number":
                return value.isNumber();
            case "boolean":
                return value.isBoolean();
            case "array":
                return value.isArray();
            case "object":
                return value.isObject();
            case "null":
                return value.isNull();
            default:
                return false;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
