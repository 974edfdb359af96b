package dev.agentkernel.image.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.image.ImageConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses the JSON documents of an image: manifests (OCI and Docker v2 schema 2), indexes and
 * manifest lists, and image configurations. Unknown fields are ignored, as the specification
 * asks; missing required ones are an {@link OciFormatException}.
 */
public final class OciDocuments {

    /** The shared mapper of this module (thread-safe once configured). */
    public static final ObjectMapper JSON = new ObjectMapper();

    private OciDocuments() {
    }

    /** A manifest of one image. */
    public record Manifest(String mediaType, Descriptor config, List<Descriptor> layers) {
        /** Copies the list. */
        public Manifest {
            layers = List.copyOf(layers);
        }
    }

    /** An index (or manifest list) of several manifests. */
    public record Index(String mediaType, List<Descriptor> manifests) {
        /** Copies the list. */
        public Index {
            manifests = List.copyOf(manifests);
        }

        /**
         * The manifest for {@code platform}: the first entry whose platform it accepts, preferring an
         * exact variant match.
         *
         * @throws OciFormatException listing the platforms the index has when none fits
         */
        public Descriptor select(Platform platform) {
            Descriptor fallback = null;
            for (Descriptor d : manifests) {
                if (d.platform().isEmpty() || !platform.accepts(d.platform().get())) {
                    continue;
                }
                if (d.platform().get().variant().equals(platform.variant())) {
                    return d;
                }
                if (fallback == null) {
                    fallback = d;
                }
            }
            if (fallback != null) {
                return fallback;
            }
            List<String> offered = manifests.stream()
                    .map(d -> d.platform().map(Platform::toString).orElse("(no platform)"))
                    .filter(p -> !p.equals("unknown/unknown")).toList();
            throw new OciFormatException("the image has no variant for this host's platform " + platform
                    + "; it offers " + (offered.isEmpty() ? "none" : String.join(", ", offered)));
        }
    }

    /** What an image configuration says: its platform, its layers' uncompressed digests and the process. */
    public record ConfigFile(Platform platform, List<Digest> diffIds, ImageConfig config) {
        /** Copies the list. */
        public ConfigFile {
            diffIds = List.copyOf(diffIds);
        }
    }

    /** Which kind of document a manifest response holds. */
    public enum Kind { MANIFEST, INDEX }

    /**
     * The kind of a manifest document, from its {@code Content-Type} (may be null) and its body.
     *
     * @throws OciFormatException for schema 1 manifests and unknown types
     */
    public static Kind kindOf(String contentType, byte[] body) {
        JsonNode root = tree(body, "manifest");
        String mediaType = root.path("mediaType").asText("");
        if (mediaType.isEmpty() && contentType != null) {
            mediaType = contentType.split(";")[0].strip();
        }
        if (MediaTypes.INDEXES.contains(mediaType)) {
            return Kind.INDEX;
        }
        if (MediaTypes.MANIFESTS.contains(mediaType)) {
            return Kind.MANIFEST;
        }
        if (root.path("schemaVersion").asInt() == 1) {
            throw new OciFormatException("the registry sent a Docker schema 1 manifest, which is deprecated and "
                    + "not supported; push the image again with a current tool (schema 2 or OCI)");
        }
        if (root.has("manifests")) {
            return Kind.INDEX;
        }
        if (root.has("layers") && root.has("config")) {
            return Kind.MANIFEST;
        }
        throw new OciFormatException("unknown manifest type '" + mediaType + "'");
    }

    /** Parses a manifest. */
    public static Manifest manifest(byte[] body) {
        JsonNode root = tree(body, "manifest");
        Descriptor config = Descriptor.fromJson(root.get("config"), "manifest config");
        JsonNode layers = root.get("layers");
        if (layers == null || !layers.isArray()) {
            throw new OciFormatException("the manifest has no layers array");
        }
        List<Descriptor> list = new ArrayList<>();
        for (JsonNode layer : layers) {
            Descriptor d = Descriptor.fromJson(layer, "manifest layer");
            if (!d.mediaType().isEmpty() && !MediaTypes.LAYERS.contains(d.mediaType())) {
                throw new OciFormatException("layer " + d.digest() + " has media type " + d.mediaType()
                        + ", which is not an image layer (is this an artifact rather than a container image?)");
            }
            list.add(d);
        }
        return new Manifest(root.path("mediaType").asText(MediaTypes.OCI_MANIFEST), config, list);
    }

    /** Parses an index or manifest list. */
    public static Index index(byte[] body) {
        JsonNode root = tree(body, "index");
        JsonNode manifests = root.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw new OciFormatException("the index has no manifests array");
        }
        List<Descriptor> list = new ArrayList<>();
        for (JsonNode m : manifests) {
            list.add(Descriptor.fromJson(m, "index entry"));
        }
        return new Index(root.path("mediaType").asText(MediaTypes.OCI_INDEX), list);
    }

    /** Parses an image configuration. */
    public static ConfigFile config(byte[] body) {
        JsonNode root = tree(body, "image configuration");
        JsonNode diffIds = root.path("rootfs").path("diff_ids");
        if (!diffIds.isArray()) {
            throw new OciFormatException("the image configuration has no rootfs.diff_ids");
        }
        List<Digest> ids = new ArrayList<>();
        for (JsonNode id : diffIds) {
            ids.add(Digest.parse(id.asText()));
        }
        JsonNode c = root.path("config");
        ImageConfig config = new ImageConfig(strings(c.get("Env")), c.path("WorkingDir").asText(""),
                strings(c.get("Entrypoint")), strings(c.get("Cmd")), c.path("User").asText(""));
        Platform platform = new Platform(root.path("os").asText(""), root.path("architecture").asText(""),
                root.path("variant").asText(""));
        return new ConfigFile(platform, ids, config);
    }

    private static List<String> strings(JsonNode node) {
        if (node == null || !node.isArray()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Parses JSON, or fails naming what it was. */
    public static JsonNode tree(byte[] body, String what) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new OciFormatException("the " + what + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new OciFormatException("the " + what + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new OciFormatException("the " + what + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The optional platform as a value, for records. */
    static Optional<Platform> none() {
        return Optional.empty();
    }
}
