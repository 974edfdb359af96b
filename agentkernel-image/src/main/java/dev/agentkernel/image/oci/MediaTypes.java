package dev.agentkernel.image.oci;

import java.util.Set;

/** The media types of OCI and Docker v2 schema 2 images that this module reads. */
public final class MediaTypes {
    /** OCI image manifest. */
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** OCI image index. */
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** Docker v2 schema 2 manifest. */
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    /** Docker manifest list. */
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** OCI image configuration. */
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    /** Docker container image configuration. */
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    /** OCI uncompressed layer. */
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    /** OCI gzip layer. */
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** OCI zstd layer. */
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    /** Docker gzip layer. */
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /** Docker uncompressed layer (docker save). */
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";

    /** Manifests of one image. */
    public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    /** Indexes of several images (one per platform). */
    public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
    /** Layer media types this module can unpack (the compression is also detected from the bytes). */
    public static final Set<String> LAYERS = Set.of(OCI_LAYER, OCI_LAYER_GZIP, OCI_LAYER_ZSTD, DOCKER_LAYER_GZIP,
            DOCKER_LAYER, "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");

    /** The Accept header of a manifest request: every manifest and index type, the preferred first. */
    public static final String MANIFEST_ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST,
            DOCKER_MANIFEST);

    private MediaTypes() {
    }
}
