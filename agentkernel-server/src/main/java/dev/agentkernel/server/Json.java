package dev.agentkernel.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.model.InvalidRequestException;
import com.fasterxml.jackson.core.JsonGenerator;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The JSON of the wire: the envelope and compact event data. Package-private. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Writes the fields of the {@code data} object of a streamed answer. */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    /**
     * Sends {@code {"success":true,"data":{...}}} with {@code status}, writing the data's fields
     * straight to the connection: for answers too large to build in memory first.
     */
    static void sendSuccess(ServerResponse res, int status, Fields fields) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json");
        try (OutputStream out = res.outputStream(); JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeBooleanField("success", true);
            json.writeFieldName("data");
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("the answer could not be sent: " + e.getMessage(), e);
        }
    }

    /** {@code {"success":true,"data":...}}. */
    static byte[] success(Object data) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("success", true);
        node.set("data", MAPPER.valueToTree(data));
        return bytes(node);
    }

    /** {@code {"success":false,"error":"..."}}. */
    static byte[] error(String message) {
        return error(message, null);
    }

    /**
     * {@code {"success":false,"error":"...","code":"..."}}: {@code code} is a stable,
     * machine-readable kind of error (see {@link HttpErrors#code}) for clients that must tell
     * errors apart without reading the message; clients that do not know it ignore it.
     */
    static byte[] error(String message, String code) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("success", false);
        node.put("error", message);
        if (code != null) {
            node.put("code", code);
        }
        return bytes(node);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a request body that must be a JSON object.
     *
     * @throws InvalidRequestException in words a person understands
     */
    static ObjectNode parseObject(byte[] body) {
        if (body.length == 0) {
            throw new InvalidRequestException("request body is empty: send a JSON object, e.g. {\"command\": [\"echo\", \"hi\"]}");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            String text = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new InvalidRequestException("request body is not valid JSON: " + text.replaceAll("\\s*\\(.*$", ""));
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidRequestException("request body must be a JSON object, got " + node.getNodeType().name().toLowerCase());
        }
        return object;
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
