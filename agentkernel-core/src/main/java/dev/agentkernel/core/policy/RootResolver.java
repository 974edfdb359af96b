package dev.agentkernel.core.policy;

import dev.agentkernel.model.ImagePull;
import dev.agentkernel.model.RootFs;

/**
 * What a sandbox's image name makes its root file system: {@link PolicyResolver} asks it for
 * every sandbox, so that the root, like every mount, comes through the one policy path.
 */
@FunctionalInterface
public interface RootResolver {

    /**
     * Every sandbox on the host's {@code /usr}, whatever image it names: for unit tests and
     * benchmarks of the parts around the root file system only; never a product path.
     */
    RootResolver HOST_ONLY = (image, pull) -> new RootFs.Host();

    /**
     * The root file system of a sandbox on {@code image} ({@value RootFs#HOST} for the host's).
     *
     * @param pull when to ask the image's registry
     * @throws dev.agentkernel.model.AgentKernelException when the image is not usable (bad name, not pullable)
     */
    RootFs root(String image, ImagePull pull);

    /** {@link #root(String, ImagePull)} with the default policy: pulled only if not stored. */
    default RootFs root(String image) {
        return root(image, ImagePull.MISSING);
    }

    /**
     * Registers {@code holder} as a user of {@code root}'s image until the lease is closed: the
     * image cannot be removed meanwhile and pruning keeps its layers. Nothing for the host's root.
     */
    default Lease lease(RootFs root, String holder) {
        return Lease.NONE;
    }

    /** A use of an image; closing it twice is harmless. */
    @FunctionalInterface
    interface Lease extends AutoCloseable {
        /** No lease at all. */
        Lease NONE = () -> { };

        /** Ends the use. Never throws. */
        @Override
        void close();
    }
}
