package dev.agentkernel.server;

import dev.agentkernel.api.ImagePullEvent;
import dev.agentkernel.api.ImageRemoved;
import dev.agentkernel.api.PullImageRequest;
import dev.agentkernel.core.wire.ErrorCodes;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.PullPolicy;
import dev.agentkernel.model.AgentKernelException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The daemon's image store: {@code GET /images}, {@code POST /images/pull} (progress as Server-Sent
 * Events) and {@code DELETE /images/{+ref}}. A pull's event stream starts with its first event, so
 * what fails before it (a reference the registry does not know, access refused, an unreachable
 * registry, an image that is not stored under the policy {@code never}) is an ordinary error
 * answer; a client that leaves does not stop a pull that started. Package-private.
 */
final class ImageRoutes {

    private static final System.Logger LOG = System.getLogger(ImageRoutes.class.getName());
    private final ImageService images;
    private final Bodies bodies;

    ImageRoutes(ImageService images, Bodies bodies) {
        this.images = images;
        this.bodies = bodies;
    }

    void list(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.images(images.list()));
    }

    void remove(ServerRequest req, ServerResponse res) {
        ImageReference ref = ImageReference.parse(req.path().pathParameters().get("ref"));
        images.remove(ref.toString());
        Json.send(res, 200, new ImageRemoved(ref.toString()));
    }

    void pull(ServerRequest req, ServerResponse res) throws InterruptedException {
        PullImageRequest request = Json.read(bodies.read(req), PullImageRequest.class);
        ImageReference ref = ImageReference.parse(request.image());
        PullPolicy policy = PullPolicy.parse(request.policy());
        PullEvents events = new PullEvents();
        FutureTask<Image> task = new FutureTask<>(() -> {
            try {
                return images.resolve(ref.toString(), policy, events); // the daemon's images count pulls
            } finally {
                events.end();
            }
        });
        Thread.ofVirtual().name("image-pull " + ref).start(task);
        if (!events.awaitAny(Long.MAX_VALUE / 2_000_000L)) {
            Image image = result(task); // a failure before any event: an ordinary error answer
            SseStream sse = open(res);
            sse.send(new ImagePullEvent.Done(WireViews.image(image)));
            sse.close();
            return;
        }
        SseStream sse = open(res);
        try {
            while (!task.isDone()) {
                events.drain(false).forEach(sse::send);
                sse.probeClosed();
                events.await(100);
            }
            events.drain(true).forEach(sse::send);
            sse.send(new ImagePullEvent.Done(WireViews.image(result(task))));
        } catch (AgentKernelException e) {
            sse.send(new ImagePullEvent.Error(e.getMessage(), ErrorCodes.of(e).wire()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sse.send(new ImagePullEvent.Error("the server is shutting down; the pull goes on without it",
                    dev.agentkernel.api.ErrorCode.SHUTTING_DOWN.wire()));
        } catch (RuntimeException e) {
            // Headers are sent: the only way left to report it is an error event.
            LOG.log(System.Logger.Level.WARNING, "pull of " + ref + " failed", e);
            sse.send(new ImagePullEvent.Error(HttpErrors.message(e), HttpErrors.code(e).wire()));
        } finally {
            sse.close();
        }
    }

    private static SseStream open(ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Accel-Buffering", "no");
        return new SseStream(res.outputStream());
    }

    /** The pull's image, or what it threw. */
    private static Image result(FutureTask<Image> task) throws InterruptedException {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
