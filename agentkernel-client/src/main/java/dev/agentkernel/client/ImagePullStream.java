package dev.agentkernel.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.api.ErrorCode;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the Server-Sent Events of {@code POST /images/pull} to their end: progress to the listener,
 * {@code done} as the image, {@code error} as the exception its code maps to. Package-private.
 */
final class ImagePullStream {

    private ImagePullStream() {
    }

    /** Reads {@code events} (closing it) until the pull's end. */
    static ImageInfo read(InputStream events, String what, ImagePullListener listener) {
        try (InputStream in = events) {
            SseReader reader = new SseReader(in);
            for (SseReader.Frame frame; (frame = reader.next()) != null; ) {
                JsonNode data;
                try {
                    data = Wire.MAPPER.readTree(frame.data());
                } catch (IOException e) {
                    throw new Wire.MalformedException("the data of a " + frame.event() + " event is not JSON");
                }
                switch (frame.event()) {
                    case "done":
                        return Wire.imageInfo(data.get("image"));
                    case "error": {
                        String message = data.path("error").isMissingNode() ? data.path("message").asText("")
                                : data.path("error").asText("");
                        String code = data.path("code").isTextual() ? data.path("code").asText() : null;
                        throw AgentKernelException.forStatus(ErrorCode.fromWire(code).status(), code,
                                message.isBlank() ? what + " failed" : message);
                    }
                    default:
                        Wire.imagePullEvent(frame.event(), data).ifPresent(listener::onEvent);
                }
            }
            throw new ConnectionException("the event stream of " + what
                    + " ended before its done or error event: the connection or the server went away", null);
        } catch (Wire.MalformedException e) {
            throw new ServerException(200, "the event stream of " + what + " is malformed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConnectionException("reading the event stream of " + what + " failed: " + e, e);
        }
    }
}
