package dev.agentkernel.core.image;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.RootResolver;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.model.ImagePull;
import dev.agentkernel.model.RootFs;

/**
 * The {@link ImageRoots} of this host's image store for one command-line run: the store is
 * opened only when a sandbox names an image other than {@value RootFs#HOST} (a run on the host's
 * {@code /usr} pays nothing for it), and closed with this. Not thread-safe.
 */
public final class HostImageRoots implements RootResolver, AutoCloseable {

    private final HostContext host;
    private final PullListener listener;
    private ImageService images;
    private ImageRoots roots;

    /** Roots from {@code host}'s store ({@link HostImages}). */
    public HostImageRoots(HostContext host) {
        this(host, PullListener.NONE);
    }

    /** Roots from {@code host}'s store, telling {@code listener} about the pulls they need. */
    public HostImageRoots(HostContext host, PullListener listener) {
        this.host = host;
        this.listener = listener;
    }

    @Override
    public RootFs root(String image, ImagePull pull) {
        if (image.equals(RootFs.HOST)) {
            return new RootFs.Host();
        }
        if (roots == null) {
            images = HostImages.open(host);
            roots = new ImageRoots(images, ImageRoots.dirOf(host.stateDir()), listener);
        }
        return roots.root(image, pull);
    }

    @Override
    public Lease lease(RootFs root, String holder) {
        return roots == null ? Lease.NONE : roots.lease(root, holder);
    }

    /** Closes the store, if it was opened. */
    @Override
    public void close() {
        if (images != null) {
            images.close();
        }
    }
}
