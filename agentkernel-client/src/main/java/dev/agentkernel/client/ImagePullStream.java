package dev.agentkernel.client;

import dev.agentkernel.api.ErrorCode;
import dev.agentkernel.api.ImagePullEvent.Done;
import dev.agentkernel.api.ImagePullEvent.Error;
import dev.agentkernel.api.ImagePullEvent.Layer;
import dev.agentkernel.api.ImagePullEvent.Progress;
import dev.agentkernel.api.ImagePullEvent.Resolved;
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
                String event = frame.event();
                switch (event) {
                    case "done": {
                        Done done = Wire.event(event, frame.data(), Done.class);
                        if (done.image() == null) {
                            throw new Wire.MalformedException("image is missing");
                        }
                        return Wire.imageInfo(done.image());
                    }
                    case "error": {
                        Error error = Wire.event(event, frame.data(), Error.class);
                        String message = error.message() == null ? "" : error.message();
                        throw AgentKernelException.forStatus(ErrorCode.fromWire(error.code()).status(), error.code(),
                                message.isBlank() ? what + " failed" : message);
                    }
                    case "resolved":
                        listener.onEvent(Wire.imagePullEvent(Wire.event(event, frame.data(), Resolved.class)));
                        break;
                    case "progress":
                        listener.onEvent(Wire.imagePullEvent(Wire.event(event, frame.data(), Progress.class)));
                        break;
                    case "layer":
                        listener.onEvent(Wire.imagePullEvent(Wire.event(event, frame.data(), Layer.class)));
                        break;
                    default:
                        break; // an event this client does not know: skipped
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
