package dev.agentkernel.image;

import dev.agentkernel.model.InvalidRequestException;
import java.util.Locale;

/** When {@link ImageService#resolve} asks the registry. */
public enum PullPolicy {
    /** Use the stored image; pull only when it is not stored (the default). */
    MISSING,
    /** Always ask the registry for the reference's current manifest; fetch only what is not stored. */
    ALWAYS,
    /** Never contact a registry: an image that is not stored is an error. */
    NEVER;

    /** Parses {@code missing}, {@code always} or {@code never} (any case). */
    public static PullPolicy parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidRequestException("invalid pull policy '" + text + "': use missing, always or never");
        }
    }
}
