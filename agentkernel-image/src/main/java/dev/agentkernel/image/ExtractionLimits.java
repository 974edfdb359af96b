package dev.agentkernel.image;

/**
 * Bounds on one layer, checked while it is unpacked: a layer past either is refused and
 * nothing of it is kept.
 *
 * @param maxLayerBytes uncompressed bytes of the layer's tar stream
 * @param maxEntries    entries (files, directories, links, ...) of the layer
 */
public record ExtractionLimits(long maxLayerBytes, long maxEntries) {

    /** Defaults: 16 GiB and one million entries per layer. */
    public static final ExtractionLimits DEFAULT = new ExtractionLimits(16L << 30, 1_000_000);

    /** Checks the bounds are positive. */
    public ExtractionLimits {
        if (maxLayerBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("extraction limits must be positive");
        }
    }
}
