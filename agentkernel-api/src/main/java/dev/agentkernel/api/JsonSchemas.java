package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 and MCP use them) made from the contract's records, so that
 * a schema cannot disagree with what {@link WireJson} writes: names are the records' components in
 * snake_case (or their {@code @JsonProperty}), a component is required unless it may be left out
 * ({@code @JsonInclude(NON_NULL/NON_EMPTY)} without {@code @JsonProperty(required = true)}), and
 * {@link Nullable} adds {@code "null"} to its type. Nested records are either inlined
 * ({@link #inline}, for MCP tools) or referenced as {@code #/components/schemas/NAME}
 * ({@link Components}, for OpenAPI).
 */
public final class JsonSchemas {

    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private JsonSchemas() {
    }

    /** A self-contained schema of {@code type}: nested records inline. */
    public static Map<String, Object> inline(Type type) {
        return new Components(false).schema(type);
    }

    /** The wire name of a record component. */
    public static String wireName(RecordComponent c) {
        JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
        return p != null && !p.value().isEmpty() ? p.value() : SNAKE.translate(c.getName());
    }

    /** Schemas whose records are collected as named components and referenced. */
    public static final class Components {
        private final boolean references;
        private final Map<String, Map<String, Object>> named = new java.util.TreeMap<>();

        /** Collects records as components. */
        public Components() {
            this(true);
        }

        private Components(boolean references) {
            this.references = references;
        }

        /** The collected components, by simple name. */
        public Map<String, Map<String, Object>> named() {
            return named;
        }

        /** The schema of {@code type}, collecting what it references. */
        public Map<String, Object> schema(Type type) {
            return schema(type, false, null);
        }

        private Map<String, Object> schema(Type type, boolean nullable, JsonTypes loose) {
            Class<?> raw = raw(type);
            Map<String, Object> s = new LinkedHashMap<>();
            if (loose != null) {
                s.put("type", typeList(List.of(loose.value()), nullable));
                if (List.of(loose.value()).contains("array")) {
                    s.put("items", Map.of("type", "string"));
                }
                return s;
            }
            if (raw == String.class || raw == char.class || raw == Character.class) {
                s.put("type", typeList(List.of("string"), nullable));
            } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class
                    || raw == short.class || raw == Short.class) {
                s.put("type", typeList(List.of("integer"), nullable));
            } else if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
                s.put("type", typeList(List.of("number"), nullable));
            } else if (raw == boolean.class || raw == Boolean.class) {
                s.put("type", typeList(List.of("boolean"), nullable));
            } else if (raw == ErrorCode.class) {
                s.put("type", typeList(List.of("string"), nullable));
                List<String> values = new ArrayList<>();
                for (ErrorCode c : ErrorCode.values()) {
                    values.add(c.wire());
                }
                s.put("enum", values);
            } else if (Collection.class.isAssignableFrom(raw)) {
                s.put("type", typeList(List.of("array"), nullable));
                s.put("items", schema(argument(type, 0), false, null));
            } else if (Map.class.isAssignableFrom(raw)) {
                s.put("type", typeList(List.of("object"), nullable));
                s.put("additionalProperties", schema(argument(type, 1), false, null));
            } else if (raw == Object.class || JsonNode.class.isAssignableFrom(raw)) {
                return s; // anything
            } else if (raw == AuditEventView.class) {
                return named(raw, nullable, () -> auditEvent());
            } else if (raw.isRecord()) {
                return named(raw, nullable, () -> record(raw));
            } else if (raw.isSealed()) {
                return named(raw, nullable, () -> {
                    Map<String, Object> one = new LinkedHashMap<>();
                    List<Object> options = new ArrayList<>();
                    for (Class<?> sub : raw.getPermittedSubclasses()) {
                        options.add(schema(sub));
                    }
                    one.put("oneOf", options);
                    return one;
                });
            } else {
                throw new IllegalArgumentException("no JSON Schema for " + type.getTypeName());
            }
            return s;
        }

        private Map<String, Object> named(Class<?> raw, boolean nullable, java.util.function.Supplier<Map<String, Object>> body) {
            if (!references) {
                Map<String, Object> s = body.get();
                if (nullable && s.get("type") instanceof String) {
                    s.put("type", List.of(s.get("type"), "null"));
                }
                return s;
            }
            String name = name(raw);
            if (!named.containsKey(name)) {
                named.put(name, Map.of()); // a placeholder against recursion
                named.put(name, body.get());
            }
            Map<String, Object> ref = Map.of("$ref", "#/components/schemas/" + name);
            if (!nullable) {
                return new LinkedHashMap<>(ref);
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("anyOf", List.of(ref, Map.of("type", "null")));
            return s;
        }

        private Map<String, Object> record(Class<?> raw) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("type", "object");
            Map<String, Object> properties = new LinkedHashMap<>();
            List<String> required = new ArrayList<>();
            JsonInclude classInclude = raw.getAnnotation(JsonInclude.class);
            if (raw == ErrorBody.class) {
                properties.put("success", Map.of("type", "boolean", "const", false));
                required.add("success");
            }
            for (RecordComponent c : raw.getRecordComponents()) {
                Method accessor = c.getAccessor();
                String name = wireName(c);
                boolean nullable = accessor.isAnnotationPresent(Nullable.class);
                properties.put(name, schema(c.getGenericType(), nullable, accessor.getAnnotation(JsonTypes.class)));
                JsonProperty p = accessor.getAnnotation(JsonProperty.class);
                if (c.getType().isPrimitive() || (p != null && p.required()) || !omittable(accessor, classInclude)) {
                    required.add(name);
                }
            }
            s.put("properties", properties);
            s.put("required", required);
            return s;
        }

        private static boolean omittable(Method accessor, JsonInclude classInclude) {
            JsonInclude own = accessor.getAnnotation(JsonInclude.class);
            JsonInclude.Include include = own != null && own.value() != JsonInclude.Include.USE_DEFAULTS ? own.value()
                    : classInclude != null ? classInclude.value() : JsonInclude.Include.ALWAYS;
            return include != JsonInclude.Include.ALWAYS && include != JsonInclude.Include.USE_DEFAULTS;
        }

        private Map<String, Object> auditEvent() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("type", "object");
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("timestamp", Map.of("type", "string"));
            properties.put("event", Map.of("type", "string"));
            properties.put("sandbox", Map.of("type", "string"));
            s.put("properties", properties);
            s.put("required", List.of("timestamp", "event"));
            s.put("additionalProperties", true);
            return s;
        }

        private static String name(Class<?> raw) {
            return raw.getEnclosingClass() == null ? raw.getSimpleName()
                    : raw.getEnclosingClass().getSimpleName() + raw.getSimpleName();
        }
    }

    private static Object typeList(List<String> types, boolean nullable) {
        if (!nullable) {
            return types.size() == 1 ? types.get(0) : types;
        }
        List<String> all = new ArrayList<>(types);
        all.add("null");
        return all;
    }

    private static Class<?> raw(Type type) {
        if (type instanceof com.fasterxml.jackson.databind.JavaType) {
            return ((com.fasterxml.jackson.databind.JavaType) type).getRawClass();
        }
        if (type instanceof Class) {
            return (Class<?>) type;
        }
        if (type instanceof ParameterizedType) {
            return (Class<?>) ((ParameterizedType) type).getRawType();
        }
        throw new IllegalArgumentException("no JSON Schema for " + type.getTypeName());
    }

    private static Type argument(Type type, int index) {
        if (type instanceof com.fasterxml.jackson.databind.JavaType) {
            com.fasterxml.jackson.databind.JavaType t = (com.fasterxml.jackson.databind.JavaType) type;
            if (t.isMapLikeType()) {
                return index == 0 ? t.getKeyType() : t.getContentType();
            }
            return t.getContentType() != null ? t.getContentType() : Object.class;
        }
        if (type instanceof ParameterizedType) {
            return ((ParameterizedType) type).getActualTypeArguments()[index];
        }
        return Object.class;
    }
}
