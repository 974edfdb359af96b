package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /images/pull}, MCP {@code image_pull}: bring an image into the daemon's store.
 *
 * @param image  the reference, e.g. {@code python:3.12-alpine} or {@code ghcr.io/org/tool@sha256:...}
 * @param policy when to ask the registry: {@code missing} (only when the image is not stored; the
 *               default), {@code always} (for the tag's current manifest; only what is not stored is
 *               fetched) or {@code never} (the stored image, else an error)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PullImageRequest(@JsonProperty(required = true) String image, String policy) {

    /** The policies, in the order the documentation gives them. */
    public static final List<String> POLICIES = List.of("missing", "always", "never");

    public PullImageRequest {
        image = Check.required(image, "image", "\"python:3.12-alpine\"");
        if (image.isBlank()) {
            throw Check.bad("image must be a reference, e.g. \"python:3.12-alpine\"");
        }
        image = image.strip();
        if (policy == null) {
            policy = "missing";
        } else {
            String normal = policy.strip().toLowerCase(Locale.ROOT);
            if (!POLICIES.contains(normal)) {
                throw Check.bad("policy must be missing, always or never, not '" + policy + "'");
            }
            policy = normal;
        }
    }

    /** {@code image} with the default policy, {@code missing}. */
    public static PullImageRequest of(String image) {
        return new PullImageRequest(image, null);
    }
}
