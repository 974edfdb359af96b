package dev.agentkernel.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/**
 * The one JSON mapping of the wire, for the server, the MCP tools and the SDK alike: snake_case
 * names from the records' components, unknown fields ignored (published clients send more than we
 * read), no silent coercion (a {@code 0.5} is not an integer, {@code "5"} is not a number), and
 * every reading failure turned into a {@link BadRequestException} whose message names the field
 * and what it must be.
 */
public final class WireJson {

    private static final ObjectMapper MAPPER = create();
    /** Answers as a client reads them: a field the server left out is null, 0 or false. */
    private static final ObjectReader ANSWERS = MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private WireJson() {
    }

    /** A new mapper configured as the wire is; use {@link #mapper()} unless you must change it. */
    public static ObjectMapper create() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                // a number or a boolean is not a string ({"name": 7}, {"command": [1]})
                .withCoercionConfig(com.fasterxml.jackson.databind.type.LogicalType.Textual, c -> c
                        .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                                com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                        .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                                com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                        .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Boolean,
                                com.fasterxml.jackson.databind.cfg.CoercionAction.Fail))
                .build();
    }

    /** The shared mapper (thread-safe; do not reconfigure it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Reads a request body of {@code type}.
     *
     * @throws BadRequestException for an empty body, invalid JSON, a body that is not an object, a
     *                             field of the wrong type or a value the record refuses
     */
    public static <T> T readRequest(byte[] body, Class<T> type) {
        if (body == null || body.length == 0) {
            throw new BadRequestException("request body is empty: send a JSON object, e.g. "
                    + "{\"command\": [\"echo\", \"hi\"]}");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            String text = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new BadRequestException("request body is not valid JSON: " + text.replaceAll("\\s*\\(.*$", ""));
        }
        if (node == null || !node.isObject()) {
            throw new BadRequestException("request body must be a JSON object, got "
                    + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return fromTree(node, type);
    }

    /** Reads {@code node} as {@code type}, with the errors of {@link #readRequest}. */
    public static <T> T fromTree(JsonNode node, Class<T> type) {
        return fromTree(node, MAPPER.constructType(type));
    }

    /** Reads {@code node} as {@code type} (e.g. a list of records), with the errors of {@link #readRequest}. */
    public static <T> T fromTree(JsonNode node, JavaType type) {
        return read(MAPPER.readerFor(type), node, "request body");
    }

    /**
     * Reads the {@code data} of an answer as {@code type}, as a client of the wire does: like
     * {@link #fromTree}, except that a field the server left out (or sent as null) is null, 0 or false
     * rather than an error, so older and newer servers can be read; a field of the wrong type still
     * fails, naming it ({@code exit_code must be a whole number}).
     *
     * @throws BadRequestException when {@code node} does not match {@code type}
     */
    public static <T> T answer(JsonNode node, Class<T> type) {
        return read(ANSWERS.forType(type), node, "the answer");
    }

    private static <T> T read(ObjectReader reader, JsonNode node, String whole) {
        try {
            return reader.readValue(MAPPER.treeAsTokens(node));
        } catch (JsonMappingException e) {
            throw translate(e, whole);
        } catch (IOException e) {
            throw new BadRequestException(whole + " cannot be read: " + e.getMessage());
        }
    }

    /** Reads {@code value} (e.g. the argument map of an MCP tool call) as {@code type}, with the errors of {@link #readRequest}. */
    public static <T> T fromValue(Object value, Class<T> type) {
        return fromTree(MAPPER.valueToTree(value), type);
    }

    private static BadRequestException translate(JsonMappingException e, String whole) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadRequestException) {
                BadRequestException bad = (BadRequestException) t;
                String where = path(e, true);
                return where.isEmpty() || bad.getMessage().startsWith(where) ? bad
                        : new BadRequestException(bad.code(), where + ": " + bad.getMessage());
            }
        }
        String field = path(e, false);
        java.util.regex.Matcher missing = java.util.regex.Pattern.compile("Missing required creator property '([^']+)'")
                .matcher(String.valueOf(e.getOriginalMessage()));
        if (missing.find()) {
            String parent = path(e, true);
            return new BadRequestException((parent.isEmpty() ? "" : parent + ".") + missing.group(1) + " is required");
        }
        if (e instanceof MismatchedInputException && !(e instanceof ValueInstantiationException)) {
            Class<?> target = ((MismatchedInputException) e).getTargetType();
            if (field.isEmpty()) {
                return new BadRequestException(whole + " must be " + describe(target));
            }
            return new BadRequestException(field + " must be " + describe(target));
        }
        return new BadRequestException((field.isEmpty() ? whole : field) + " is not valid: "
                + e.getOriginalMessage());
    }

    /** {@code commands[2].command} of a failure; without the last field when {@code parentOnly}. */
    private static String path(JsonMappingException e, boolean parentOnly) {
        StringBuilder b = new StringBuilder();
        var refs = e.getPath();
        int end = parentOnly ? lastObjectOf(refs) : refs.size();
        for (int i = 0; i < end; i++) {
            JsonMappingException.Reference r = refs.get(i);
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static int lastObjectOf(java.util.List<JsonMappingException.Reference> refs) {
        // a record's own refusal is reported at the record: drop the trailing field name, keep indexes
        int end = refs.size();
        return end > 0 && refs.get(end - 1).getFieldName() != null ? end - 1 : end;
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(java.util.Locale.ROOT);
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (type.isRecord() || Map.class.isAssignableFrom(type)) {
            return "a JSON object";
        }
        return "of another type";
    }

    /** {@code value} as a tree (records, lists, maps). */
    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** {@code value} as compact JSON bytes. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** {@code value} as compact JSON text. */
    public static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** {@code {"success": true, "data": data}}. */
    public static byte[] success(Object data) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("success", true);
        node.set("data", MAPPER.valueToTree(data));
        return bytes(node);
    }

    /** {@code {"success": false, "error": message, "code": code}}. */
    public static byte[] error(ErrorCode code, String message) {
        return bytes(new ErrorBody(message, code));
    }

    /**
     * The {@code data} of a response envelope as {@code type}.
     *
     * @throws UncheckedIOException when the body is not JSON or not the envelope
     */
    public static <T> T data(byte[] body, JavaType type) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject() || !node.path("success").asBoolean(false) || !node.has("data")) {
                throw new IOException("not a success envelope: " + abbreviate(new String(body, java.nio.charset.StandardCharsets.UTF_8)));
            }
            return MAPPER.readerFor(type).readValue(MAPPER.treeAsTokens(node.get("data")));
        } catch (JacksonException e) {
            throw new UncheckedIOException("the server's answer does not match the contract: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The {@code data} of a response envelope as {@code type}. */
    public static <T> T data(byte[] body, Class<T> type) {
        return data(body, MAPPER.constructType(type));
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
