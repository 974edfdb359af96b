package dev.agentkernel.image.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.image.oci.Descriptor;
import dev.agentkernel.image.oci.Digest;
import dev.agentkernel.image.oci.MediaTypes;
import dev.agentkernel.image.oci.OciDocuments;
import dev.agentkernel.image.oci.OciFormatException;
import dev.agentkernel.image.oci.Platform;
import dev.agentkernel.image.store.DigestMismatchException;
import dev.agentkernel.image.store.ImageWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Imports images from files, for hosts that reach no registry: a {@code docker save} tarball
 * (its {@code manifest.json}: config, repo tags, layer tars), an OCI image layout directory, or a
 * tar of one. Every blob is checked against its digest as it is stored; layers are unpacked by
 * the same code as pulled ones.
 *
 * <p>A {@code docker save} image gets an OCI manifest written here (the tarball has none), so its
 * digest is not the one the image has in a registry.
 */
public final class ArchiveImporter {

    private final ImageWriter writer;
    private final Platform platform;

    /** An importer that stores through {@code writer} and picks {@code platform} from indexes. */
    public ArchiveImporter(ImageWriter writer, Platform platform) {
        this.writer = writer;
        this.platform = platform;
    }

    /**
     * Imports every image of {@code path}.
     *
     * @param name the reference for images the archive does not name (a repository, or a full
     *             reference), or null
     * @throws OciFormatException when the archive is neither format, or names no image and no name is given
     */
    public List<Image> importArchive(Path path, String name, PullListener listener) throws IOException {
        if (!Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString());
        }
        try (ArchiveSource source = Files.isDirectory(path) ? new ArchiveSource.Directory(path)
                : new ArchiveSource.Tar(path)) {
            if (source.exists("manifest.json")) {
                return dockerSave(source, name, listener);
            }
            if (source.exists("index.json") && source.exists("oci-layout")) {
                return ociLayout(source, name, listener);
            }
            throw new OciFormatException(path + " is neither a 'docker save' tarball (no manifest.json) nor an OCI "
                    + "image layout (no oci-layout and index.json)");
        }
    }

    private List<Image> dockerSave(ArchiveSource source, String name, PullListener listener) throws IOException {
        JsonNode manifest;
        try (InputStream in = source.open("manifest.json")) {
            manifest = OciDocuments.JSON.readTree(in.readNBytes(16 << 20));
        }
        if (manifest == null || !manifest.isArray() || manifest.isEmpty()) {
            throw new OciFormatException("manifest.json of the docker save tarball is not a non-empty array");
        }
        List<Image> out = new ArrayList<>();
        for (JsonNode entry : manifest) {
            String configPath = entry.path("Config").asText("");
            if (configPath.isEmpty() || !entry.path("Layers").isArray()) {
                throw new OciFormatException("an entry of manifest.json has no Config or Layers");
            }
            byte[] configBytes;
            try (InputStream in = source.open(configPath)) {
                configBytes = in.readNBytes(16 << 20);
            }
            Map<Digest, String> paths = new HashMap<>();
            Digest configDigest = Digest.sha256(configBytes);
            ObjectNode m = OciDocuments.JSON.createObjectNode();
            m.put("schemaVersion", 2);
            m.put("mediaType", MediaTypes.OCI_MANIFEST);
            m.set("config", descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length));
            ArrayNode layers = m.putArray("layers");
            for (JsonNode layer : entry.path("Layers")) {
                String layerPath = layer.asText();
                Hashed hashed = hash(source, layerPath);
                paths.put(hashed.digest, layerPath);
                layers.add(descriptor(hashed.mediaType, hashed.digest, hashed.size));
            }
            byte[] manifestBytes = OciDocuments.JSON.writeValueAsBytes(m);
            Digest manifestDigest = Digest.sha256(manifestBytes);
            ImageWriter.BlobSource blobs = new ImageWriter.BlobSource() {
                @Override
                public void copy(Descriptor d, OutputStream target) throws IOException {
                    if (d.digest().equals(configDigest)) {
                        target.write(configBytes);
                        return;
                    }
                    String p = paths.get(d.digest());
                    if (p == null) {
                        throw new java.nio.file.NoSuchFileException(d.digest().toString());
                    }
                    try (InputStream in = source.open(p)) {
                        in.transferTo(target);
                    }
                }
            };
            List<String> tags = new ArrayList<>();
            entry.path("RepoTags").forEach(t -> tags.add(t.asText()));
            if (tags.isEmpty()) {
                if (name == null) {
                    throw new OciFormatException("the docker save tarball has an image without a tag; give a name "
                            + "to import it under (agentkernel image import FILE --name NAME:TAG)");
                }
                tags.add(name);
            }
            for (String tag : tags) {
                out.add(writer.write(ImageReference.parse(tag), manifestDigest, manifestBytes, null, null, blobs,
                        listener));
            }
        }
        return out;
    }

    private record Hashed(Digest digest, long size, String mediaType) {
    }

    private static Hashed hash(ArchiveSource source, String path) throws IOException {
        MessageDigest md = Digest.newSha256();
        long size = 0;
        byte[] head = null;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = new BufferedInputStream(source.open(path), 1 << 16)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (head == null) {
                    head = java.util.Arrays.copyOf(buf, Math.min(n, 4));
                }
                md.update(buf, 0, n);
                size += n;
            }
        }
        String type = MediaTypes.OCI_LAYER;
        if (head != null && head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            type = MediaTypes.OCI_LAYER_GZIP;
        } else if (head != null && head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5) {
            type = MediaTypes.OCI_LAYER_ZSTD;
        }
        return new Hashed(new Digest("sha256", HexFormat.of().formatHex(md.digest())), size, type);
    }

    private static ObjectNode descriptor(String mediaType, Digest digest, long size) {
        ObjectNode d = OciDocuments.JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        return d;
    }

    private List<Image> ociLayout(ArchiveSource source, String name, PullListener listener) throws IOException {
        byte[] indexBytes;
        try (InputStream in = source.open("index.json")) {
            indexBytes = in.readNBytes(4 << 20);
        }
        JsonNode index = OciDocuments.tree(indexBytes, "index.json of the OCI layout");
        ImageWriter.BlobSource blobs = new ImageWriter.BlobSource() {
            @Override
            public void copy(Descriptor d, OutputStream target) throws IOException {
                try (InputStream in = source.open(blobPath(d.digest()))) {
                    in.transferTo(target);
                }
            }
        };
        List<Image> out = new ArrayList<>();
        for (JsonNode entry : index.path("manifests")) {
            Descriptor d = OciDocuments.index(("{\"manifests\":[" + entry + "]}").getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)).manifests().getFirst();
            ImageReference reference = referenceOf(entry.path("annotations"), name);
            byte[] top = readVerified(source, d.digest());
            Digest indexDigest = null;
            byte[] nestedIndex = null;
            Digest manifestDigest = d.digest();
            byte[] manifestBytes = top;
            if (OciDocuments.kindOf(d.mediaType(), top) == OciDocuments.Kind.INDEX) {
                Descriptor chosen = OciDocuments.index(top).select(platform);
                indexDigest = d.digest();
                nestedIndex = top;
                manifestDigest = chosen.digest();
                manifestBytes = readVerified(source, chosen.digest());
            }
            out.add(writer.write(reference, manifestDigest, manifestBytes, indexDigest, nestedIndex, blobs,
                    listener));
        }
        if (out.isEmpty()) {
            throw new OciFormatException("the OCI layout's index.json lists no image");
        }
        return out;
    }

    private static ImageReference referenceOf(JsonNode annotations, String name) {
        String full = annotations.path("io.containerd.image.name").asText("");
        if (!full.isEmpty()) {
            return ImageReference.parse(full);
        }
        String refName = annotations.path("org.opencontainers.image.ref.name").asText("");
        boolean isTag = !refName.isEmpty() && refName.matches("[\\w][\\w.-]{0,127}");
        if (!refName.isEmpty() && !isTag) {
            return ImageReference.parse(refName);
        }
        if (name == null) {
            throw new OciFormatException("the OCI layout names no repository for its image"
                    + (refName.isEmpty() ? "" : " (only the tag '" + refName + "')")
                    + "; give a name to import it under (agentkernel image import DIR --name NAME)");
        }
        ImageReference given = ImageReference.parse(name);
        boolean nameHasTag = name.substring(name.lastIndexOf('/') + 1).contains(":") || name.contains("@");
        return isTag && !nameHasTag ? new ImageReference(given.registry(), given.repository(), refName, null) : given;
    }

    private static String blobPath(Digest digest) {
        return "blobs/" + digest.algorithm() + "/" + digest.hex();
    }

    private static byte[] readVerified(ArchiveSource source, Digest digest) throws IOException {
        byte[] bytes;
        try (InputStream in = source.open(blobPath(digest))) {
            bytes = in.readNBytes(4 << 20);
        }
        if (!digest.matches(bytes)) {
            throw new DigestMismatchException("the blob " + digest + " of the OCI layout has the wrong content");
        }
        return bytes;
    }

}
