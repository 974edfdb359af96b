package dev.agentkernel.image;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An image in the store, ready to be a sandbox's root file system.
 *
 * @param reference the reference it is stored under (normalised)
 * @param digest    the digest of its manifest (for a multi-platform image: of this host's manifest)
 * @param config    its process settings (Env, WorkingDir, Entrypoint, Cmd, User)
 * @param layers    its unpacked layer directories, <b>lowest first</b>; for overlayfs pass them
 *                  reversed as {@code lowerdir} (the top layer first). Whiteouts in them are
 *                  overlayfs whiteouts (character devices 0/0, {@code trusted.overlay.opaque=y}),
 *                  so they are not a tree to bind directly: use
 *                  {@link ImageService#materialize(Image, Path)} for one flattened directory.
 *                  Shared with every image that has the same layer: never write into them.
 * @param platform  its platform ({@code linux/amd64})
 * @param size      the sum of its layers' sizes as stored (compressed)
 * @param stored    when it was stored under this reference
 */
public record Image(ImageReference reference, String digest, ImageConfig config, List<Path> layers,
                   String platform, long size, Instant stored) {

    /** Copies the list and checks the parts. */
    public Image {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(stored, "stored");
    }
}
