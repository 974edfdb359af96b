package dev.agentkernel.image;

/**
 * A registered user of an image (a persistent sandbox, a pooled sandbox): while it is open the
 * image cannot be removed and {@code prune} keeps its layers. Closing it twice is harmless.
 * Leases live in memory: a daemon registers those of its sandboxes again when it starts.
 */
public interface ImageLease extends AutoCloseable {

    /** The leased image. */
    Image image();

    /** Who holds it, as given to {@link ImageService#lease(Image, String)}; named in refusals. */
    String holder();

    /** Ends the lease. */
    @Override
    void close();
}
