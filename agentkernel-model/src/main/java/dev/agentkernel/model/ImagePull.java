package dev.agentkernel.model;

import java.util.Locale;

/**
 * When a request that names an image asks the image's registry: the pull policy of {@code run},
 * {@code /run}, {@code /sandboxes} and the other routes that start a sandbox ({@code "pull"} on
 * the wire, {@code --pull} on the command line).
 */
public enum ImagePull {
    /** Only when the image is not stored (the default). */
    MISSING,
    /** Always, for the tag's current manifest; only what is not stored is fetched. */
    ALWAYS,
    /** Never: the stored image, else an error. */
    NEVER;

    /** The wire and command-line name: {@code missing}, {@code always}, {@code never}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a policy name, ignoring case.
     *
     * @throws InvalidRequestException naming the valid ones
     */
    public static ImagePull parse(String text) {
        for (ImagePull policy : values()) {
            if (policy.id().equals(text == null ? "" : text.strip().toLowerCase(Locale.ROOT))) {
                return policy;
            }
        }
        throw new InvalidRequestException("pull must be missing, always or never, not '" + text + "'");
    }
}
