package dev.agentkernel.server;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.agentkernel.api.ErrorCode;
import dev.agentkernel.api.WireJson;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * Sending and reading the wire's JSON on Helidon: the envelope and request records, all through
 * {@link WireJson} (the contract's one mapping). Package-private.
 */
final class Json {

    private Json() {
    }

    /** Writes the fields of the {@code data} object of a streamed answer. */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    /** Sends {@code {"success":true,"data":data}} with {@code status}; {@code data} is a contract record. */
    static void send(ServerResponse res, int status, Object data) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").send(WireJson.success(data));
    }

    /** Sends the error envelope with {@code status}. */
    static void sendError(ServerResponse res, int status, ErrorCode code, String message) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").send(WireJson.error(code, message));
    }

    /** The error envelope with the code's wire name, as the refusals before any route give it. */
    static byte[] error(String message, String code) {
        return WireJson.error(ErrorCode.fromWire(code), message);
    }

    /**
     * Sends {@code {"success":true,"data":{...}}} with {@code status}, writing the data's fields
     * straight to the connection: for answers too large to build in memory first.
     */
    static void sendSuccess(ServerResponse res, int status, Fields fields) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json");
        try (OutputStream out = res.outputStream(); JsonGenerator json = WireJson.mapper().getFactory().createGenerator(out)) {
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

    /** A request body as the record {@code type} (400 with the field named when it breaks the contract). */
    static <T> T read(byte[] body, Class<T> type) {
        return WireJson.readRequest(body, type);
    }

    /** A request body as {@code type}, or {@code empty} when there is no body. */
    static <T> T readOptional(byte[] body, Class<T> type, Supplier<T> empty) {
        return body.length == 0 ? empty.get() : WireJson.readRequest(body, type);
    }
}
