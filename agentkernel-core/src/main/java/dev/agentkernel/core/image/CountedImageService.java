package dev.agentkernel.core.image;

import dev.agentkernel.core.metrics.Metric;
import dev.agentkernel.core.metrics.Metrics;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageLease;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.PruneResult;
import dev.agentkernel.image.PullEvent;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.image.PullPolicy;
import dev.agentkernel.image.StoreUsage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ImageService} that counts every pull, whoever asks for it ({@code POST /images/pull},
 * MCP's {@code image_pull}, an image fetched because a sandbox names it): a resolve that asked the
 * registry counts as a pull ({@code ok}), one that failed as a failed pull ({@code error}); a
 * resolve served from the store counts nothing. Fetched layer bytes are added up.
 */
public final class CountedImageService implements ImageService {

    private final ImageService images;
    private final Metrics metrics;

    /** Counts the pulls of {@code images} into {@code metrics}. */
    public CountedImageService(ImageService images, Metrics metrics) {
        this.images = images;
        this.metrics = metrics;
    }

    @Override
    public Image resolve(String reference, PullPolicy policy, PullListener listener) {
        AtomicBoolean asked = new AtomicBoolean();
        AtomicLong fetched = new AtomicLong();
        PullListener counting = event -> {
            if (event instanceof PullEvent.Resolved) {
                asked.set(true);
            } else if (event instanceof PullEvent.LayerDone done) {
                fetched.addAndGet(done.bytesFetched());
            }
            listener.onEvent(event);
        };
        try {
            Image image = images.resolve(reference, policy, counting);
            if (asked.get()) {
                metrics.count(Metric.IMAGE_PULLS, "ok");
            }
            return image;
        } catch (RuntimeException e) {
            metrics.count(Metric.IMAGE_PULLS, "error");
            throw e;
        } finally {
            if (fetched.get() > 0) {
                metrics.count(Metric.IMAGE_PULL_BYTES, fetched.get());
            }
        }
    }

    @Override
    public String probe(String reference) {
        return images.probe(reference);
    }

    @Override
    public Optional<Image> find(String reference) {
        return images.find(reference);
    }

    @Override
    public List<Image> list() {
        return images.list();
    }

    @Override
    public void remove(String reference) {
        images.remove(reference);
    }

    @Override
    public PruneResult prune() {
        return images.prune();
    }

    @Override
    public List<Image> importArchive(Path archive, String name, PullListener listener) {
        return images.importArchive(archive, name, listener);
    }

    @Override
    public Image derive(Image base, String reference, Path layerTar, String diffId, String createdBy) {
        return images.derive(base, reference, layerTar, diffId, createdBy);
    }

    @Override
    public StoreUsage usage() {
        return images.usage();
    }

    @Override
    public ImageLease lease(Image image, String holder) {
        return images.lease(image, holder);
    }

    @Override
    public void materialize(Image image, Path target) {
        images.materialize(image, target);
    }

    @Override
    public Path root() {
        return images.root();
    }

    @Override
    public void close() {
        images.close();
    }
}
