package dev.agentkernel.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * An OCI content descriptor: what a manifest or index says about one blob.
 *
 * @param mediaType the blob's media type (may be empty in hand-written indexes)
 * @param digest    its digest, validated
 * @param size      its size in bytes
 * @param platform  for entries of an index, the platform of that manifest
 */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform) {

    /** Checks the parts. */
    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(platform, "platform");
        if (size < 0) {
            throw new OciFormatException("descriptor of " + digest + " has a negative size " + size);
        }
    }

    static Descriptor fromJson(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new OciFormatException(where + ": a descriptor must be a JSON object");
        }
        JsonNode digest = node.get("digest");
        JsonNode size = node.get("size");
        if (digest == null || !digest.isTextual() || size == null || !size.canConvertToLong()) {
            throw new OciFormatException(where + ": a descriptor needs a digest and a size");
        }
        Optional<Platform> platform = Optional.ofNullable(node.get("platform"))
                .filter(JsonNode::isObject).map(Platform::fromJson);
        return new Descriptor(node.path("mediaType").asText(""), Digest.parse(digest.asText()), size.asLong(),
                platform);
    }
}
