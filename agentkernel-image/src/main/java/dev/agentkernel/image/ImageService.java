package dev.agentkernel.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Images for sandboxes: resolve a reference to a stored image (pulling it from its registry as
 * the {@link PullPolicy} allows), list, remove, prune, import archives, and measure the store.
 * One instance per store directory per process; it is thread-safe, and concurrent resolves of
 * one image share their downloads.
 *
 * <p>Errors are the project's {@link dev.agentkernel.model.AgentKernelException} types:
 * {@link dev.agentkernel.model.InvalidRequestException} for a bad reference, a refused layer (unsafe or
 * past the limits) or a bad archive; {@link dev.agentkernel.model.NotFoundException} for an image
 * that is neither stored nor in the registry (the message names the image and the fixes);
 * {@link dev.agentkernel.model.PermissionDeniedException} when the registry refuses access;
 * {@link dev.agentkernel.model.ConflictException} when removing an image in use; and the base
 * {@link dev.agentkernel.model.AgentKernelException} for an unreachable registry, a digest mismatch
 * or a store failure. A failed pull stores no partial image.
 */
public interface ImageService extends AutoCloseable {

    /** Opens the store under {@code config.root()} (creating it) and a registry client. */
    static ImageService open(ImageServiceConfig config) {
        return new DefaultImageService(config);
    }

    /**
     * The image {@code reference} names, pulled if the policy allows and it is not stored (or
     * always, for {@link PullPolicy#ALWAYS}), resolved to this host's platform.
     */
    Image resolve(String reference, PullPolicy policy, PullListener listener);

    /**
     * Asks {@code reference}'s registry for its manifest, storing nothing: whether the image could
     * be pulled now. Returns the address that answered; fails as {@link #resolve} would.
     */
    String probe(String reference);

    /** The stored image {@code reference} names, without contacting a registry. */
    Optional<Image> find(String reference);

    /** Every stored image, by reference. */
    List<Image> list();

    /**
     * Removes the reference; its content stays until {@link #prune()}. Refused while the image is
     * leased, unless another reference keeps it.
     */
    void remove(String reference);

    /** Removes every blob and unpacked layer no stored image and no lease uses. */
    PruneResult prune();

    /**
     * Imports a {@code docker save} tarball, an OCI image layout directory, or a tar of one.
     *
     * @param name the reference to store an image under when the archive names none (may be null)
     * @return the images stored
     */
    List<Image> importArchive(Path archive, String name, PullListener listener);

    /**
     * Stores under {@code reference} a new image: {@code base} plus one layer on top, the
     * uncompressed OCI layer tar {@code layerTar} (as {@link dev.agentkernel.image.store.LayerTarWriter}
     * writes it), unpacked with the same checks as any pulled layer. What a snapshot of a
     * sandbox is. The tar is moved into the store: it is gone afterwards.
     *
     * @param diffId    the tar's sha256 ({@code sha256:HEX}), computed as it was written; a tar that
     *                  does not hash to it is refused
     * @param createdBy what made the layer, for the image's history
     * @throws dev.agentkernel.model.InvalidRequestException if the layer breaks a rule of the store
     */
    Image derive(Image base, String reference, Path layerTar, String diffId, String createdBy);

    /** Disk use of the store. */
    StoreUsage usage();

    /** Registers a user of {@code image}; see {@link ImageLease}. */
    ImageLease lease(Image image, String holder);

    /**
     * Writes the image's flattened root file system (its layers applied in order, whiteouts
     * applied) into {@code target}, which must be missing or empty: for tests and for backends
     * without overlayfs.
     */
    void materialize(Image image, Path target);

    /** The store's root directory. */
    Path root();

    /** Closes the registry client. Stored images stay. */
    @Override
    void close();
}
