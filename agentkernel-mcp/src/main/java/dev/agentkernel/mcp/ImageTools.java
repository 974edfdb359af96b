package dev.agentkernel.mcp;

import dev.agentkernel.api.ImageList;
import dev.agentkernel.api.ImageView;
import dev.agentkernel.api.PullImageRequest;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.image.PullPolicy;
import dev.agentkernel.mcp.ToolDefinition.Effect;
import java.util.List;

/**
 * The daemon's image store: {@code image_pull} (bring an image in from its registry; the result is
 * the stored image) and {@code image_list}. Errors are those of {@link ImageService} (a bad
 * reference, an image the registry does not have, access refused, an unreachable registry), as
 * error results through {@link ToolErrors}. Package-private.
 */
final class ImageTools {

    private static final String EXAMPLE = "{\"image\": \"python:3.12-alpine\"}";
    private final ImageService images;

    ImageTools(ImageService images) {
        this.images = images;
    }

    List<ToolDefinition> definitions() {
        return List.of(pull(), list());
    }

    private ToolDefinition pull() {
        return new ToolDefinition("image_pull", "Pull an image",
                "Pull an OCI/Docker image from its registry into the daemon's image store (or find it there) and "
                        + "return it: its normalised reference, digest, platform, size and layers. Waits until "
                        + "every layer is stored.",
                Schema.object()
                        .string("image", "The image reference, e.g. python:3.12-alpine or ghcr.io/org/tool:1.0", true)
                        .choice("policy", "When to ask the registry: missing (only when not stored; default), always "
                                + "(for the tag's current manifest) or never (the stored image, else an error)",
                                PullImageRequest.POLICIES, "missing"),
                ImageView.class,
                Effect.ADDS,
                args -> {
                    PullImageRequest request = new PullImageRequest(args.requiredString("image", EXAMPLE),
                            args.optionalString("policy").orElse(null));
                    return Results.ok(WireViews.image(images.resolve(request.image(),
                            PullPolicy.parse(request.policy()), progress(args.progress()))));
                });
    }

    /**
     * A pull's events as MCP progress: one step per layer stored, of as many as the image has, each
     * naming the layer (progress within a layer is left out: one notification per layer is plenty).
     */
    static PullListener progress(Arguments.Progress progress) {
        if (progress == Arguments.Progress.NONE) {
            return PullListener.NONE;
        }
        int[] total = {0};
        int[] done = {0};
        Object lock = new Object();
        return event -> {
            synchronized (lock) { // layers are fetched in parallel; progress must grow one step at a time
                report(progress, event, total, done);
            }
        };
    }

    private static void report(Arguments.Progress progress, dev.agentkernel.image.PullEvent event, int[] total,
                               int[] done) {
        switch (event) {
            case dev.agentkernel.image.PullEvent.Resolved r -> {
                total[0] = r.layers();
                progress.report(0, (double) r.layers(), "resolved " + r.reference() + " (" + r.digest() + ", "
                        + r.layers() + " layers)");
            }
            case dev.agentkernel.image.PullEvent.LayerDone l -> {
                done[0]++;
                progress.report(done[0], total[0] > 0 ? (double) total[0] : null, "layer " + l.layer()
                        + (l.alreadyStored() ? " already stored" : " pulled (" + l.bytesFetched() + " bytes)"));
            }
            case dev.agentkernel.image.PullEvent.LayerProgress p -> {
                // within a layer: not reported
            }
            case dev.agentkernel.image.PullEvent.Completed c -> {
                // the result says it
            }
        }
    }

    private ToolDefinition list() {
        return new ToolDefinition("image_list", "List images",
                "List the images in the daemon's image store, by reference.",
                Schema.object(),
                ImageList.class,
                Effect.READS,
                args -> Results.ok(WireViews.images(images.list())));
    }
}
