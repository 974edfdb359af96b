package dev.agentkernel.image;

import static dev.agentkernel.image.TestImages.dir;
import static dev.agentkernel.image.TestImages.file;
import static dev.agentkernel.image.TestImages.tarBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.image.oci.Digest;
import dev.agentkernel.model.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile layers, crafted here with commons-compress and imported as OCI layouts through the
 * same writer and unpacker as pulled images: none may write outside the store, create a device
 * node, or forge overlayfs markers; the refused ones leave nothing in the store.
 */
class HostileLayerIT {

    @TempDir
    Path temp;
    Path outside;
    Path store;
    Map<String, String> outsideBefore;

    @BeforeAll
    static void host() {
        Tools.requireHost();
    }

    @BeforeEach
    void setUp() throws IOException {
        outside = temp.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("target"), "do not touch\n");
        Files.writeString(outside.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        outsideBefore = TreeSnapshot.of(outside);
        store = temp.resolve("a/b/store");
    }

    private ImageService service(ExtractionLimits limits) {
        return ImageService.open(ImageServiceConfig.defaults(store).withDockerConfig(null).withLimits(limits));
    }

    private void assertRefused(byte[] layer, String messagePart) throws IOException {
        Path layout = layout("refused", layer);
        try (ImageService service = service(ExtractionLimits.DEFAULT)) {
            assertThatThrownBy(() -> service.importArchive(layout, null, PullListener.NONE))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining(messagePart);
            assertThat(service.list()).isEmpty();
        }
        assertNothingEscaped();
        assertNoLayerKept();
    }

    private void assertNothingEscaped() throws IOException {
        assertThat(TreeSnapshot.of(outside)).isEqualTo(outsideBefore);
        try (var s = Files.list(temp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("outside", "a", "layouts");
        }
        try (var s = Files.list(temp.resolve("a"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("b");
        }
        try (var s = Files.list(temp.resolve("a/b"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("store");
        }
    }

    private void assertNoLayerKept() throws IOException {
        try (var s = Files.list(store.resolve("layers/sha256"))) {
            assertThat(s).isEmpty();
        }
        try (var s = Files.walk(store.resolve("tmp"))) {
            // only the process's own (empty) work directory, tmp/<pid>-<n>
            assertThat(s.filter(p -> !Files.isDirectory(p))).isEmpty();
        }
    }

    @Test
    void pathTraversalIsRefused() throws IOException {
        assertRefused(tarBytes(t -> file(t, "../../../../../outside/target", 0644, bytes("pwned"))), "'..'");
        assertRefused(tarBytes(t -> file(t, "ok/../../../../../../outside/target", 0644, bytes("pwned"))), "'..'");
    }

    @Test
    void absolutePathsStayInsideTheLayer() throws IOException {
        Path abs = outside.resolve("absolute-written");
        Image image = importOne(tarBytes(t -> {
            TarArchiveEntry e = new TarArchiveEntry(abs.toString(), true);
            e.setSize(6);
            t.putArchiveEntry(e);
            t.write(bytes("inside"));
            t.closeArchiveEntry();
        }));
        assertThat(abs).doesNotExist();
        assertThat(image.layers().getFirst().resolve(abs.toString().substring(1))).hasContent("inside");
        assertNothingEscaped();
    }

    @Test
    void writingThroughASymlinkIsRefused() throws IOException {
        assertRefused(tarBytes(t -> {
            symlink(t, "evil", outside.toString());
            file(t, "evil/target", 0644, bytes("pwned"));
        }), "symbolic link 'evil'");
        assertRefused(tarBytes(t -> {
            symlink(t, "up", "../../../../../../..");
            file(t, "up/tmp/x", 0644, bytes("pwned"));
        }), "symbolic link 'up'");
        // A chain: a -> b -> outside, then a file through a.
        assertRefused(tarBytes(t -> {
            symlink(t, "b", outside.toString());
            symlink(t, "a", "b");
            file(t, "a/target", 0644, bytes("pwned"));
        }), "symbolic link 'a'");
        // A symlink replacing a directory that held files, then a file through it.
        assertRefused(tarBytes(t -> {
            dir(t, "d/", 0755);
            symlink(t, "d", outside.toString());
            file(t, "d/target", 0644, bytes("pwned"));
        }), "symbolic link 'd'");
    }

    @Test
    void symlinksThemselvesAreKeptVerbatimAndNeverFollowed() throws IOException {
        Image image = importOne(tarBytes(t -> {
            symlink(t, "escape", outside.resolve("target").toString());
            symlink(t, "rel", "../../../../../../outside/target");
        }));
        assertThat(Files.readSymbolicLink(image.layers().getFirst().resolve("escape")))
                .isEqualTo(outside.resolve("target"));
        Path flat = temp.resolve("a/b/store-flat");
        try (ImageService service = service(ExtractionLimits.DEFAULT)) {
            service.materialize(image, flat);
        }
        assertThat(Files.isSymbolicLink(flat.resolve("escape"))).isTrue();
        assertThat(outside.resolve("target")).hasContent("do not touch");
        Files.walk(flat).forEach(p -> { }); // walking does not follow either
        assertThat(TreeSnapshot.of(outside)).isEqualTo(outsideBefore);
        deleteTree(flat);
        assertNothingEscaped();
    }

    @Test
    void hardLinksOutsideTheLayerAreRefused() throws IOException {
        assertRefused(tarBytes(t -> hardlink(t, "hl", "../../../../../outside/target")), "'..'");
        assertRefused(tarBytes(t -> hardlink(t, "hl", outside.resolve("target").toString())),
                "not in this layer");
        assertRefused(tarBytes(t -> {
            symlink(t, "s", outside.toString());
            hardlink(t, "hl", "s/target");
        }), "not a directory");
        // A link to a file of the same layer is fine.
        Image image = importOne(tarBytes(t -> {
            file(t, "f", 0644, bytes("x"));
            hardlink(t, "g", "f");
        }));
        assertThat(Files.isSameFile(image.layers().getFirst().resolve("f"), image.layers().getFirst().resolve("g")))
                .isTrue();
        assertThat((Integer) Files.getAttribute(outside.resolve("target"), "unix:nlink")).isEqualTo(1);
    }

    @Test
    void deviceNodesAndFifosAreNotCreatedAndOverlayMarkersCannotBeForged() throws IOException {
        Image image = importOne(tarBytes(t -> {
            TarArchiveEntry chr = new TarArchiveEntry("dev-null", TarConstants.LF_CHR);
            chr.setDevMajor(1);
            chr.setDevMinor(3);
            t.putArchiveEntry(chr);
            t.closeArchiveEntry();
            TarArchiveEntry blk = new TarArchiveEntry("sda", TarConstants.LF_BLK);
            blk.setDevMajor(8);
            t.putArchiveEntry(blk);
            t.closeArchiveEntry();
            TarArchiveEntry zero = new TarArchiveEntry("fake-whiteout", TarConstants.LF_CHR);
            t.putArchiveEntry(zero);
            t.closeArchiveEntry();
            t.putArchiveEntry(new TarArchiveEntry("fifo", TarConstants.LF_FIFO));
            t.closeArchiveEntry();
            TarArchiveEntry d = new TarArchiveEntry("forged/");
            d.setMode(040755);
            d.addPaxHeader("SCHILY.xattr.trusted.overlay.opaque", "y");
            t.putArchiveEntry(d);
            t.closeArchiveEntry();
        }));
        Path layer = image.layers().getFirst();
        for (String name : List.of("dev-null", "sda", "fake-whiteout", "fifo")) {
            assertThat(Files.exists(layer.resolve(name), LinkOption.NOFOLLOW_LINKS)).as(name).isFalse();
        }
        assertThat(Files.isDirectory(layer.resolve("forged"))).isTrue();
        assertThat(Tools.run(List.of("getfattr", "--absolute-names", "-d", "-m", "-", layer.resolve("forged")
                .toString()))).doesNotContain("overlay");
        assertNothingEscaped();
    }

    @Test
    void aLayerPastTheSizeOrEntryLimitIsRefused() throws IOException {
        // A gzip bomb: 64 MiB of zeros, a few dozen KiB compressed, against an 8 MiB limit.
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GZIPOutputStream(bomb))) {
            TarArchiveEntry e = new TarArchiveEntry("zeros");
            e.setSize(64L << 20);
            t.putArchiveEntry(e);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                t.write(zeros);
            }
            t.closeArchiveEntry();
        }
        assertThat(bomb.size()).isLessThan(1 << 20);
        Path layout = layout("bomb", bomb.toByteArray(), bombDiffId());
        try (ImageService service = service(new ExtractionLimits(8L << 20, 1000))) {
            assertThatThrownBy(() -> service.importArchive(layout, null, PullListener.NONE))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("larger than " + (8L << 20) + " bytes").hasMessageContaining("maxLayerBytes");
        }
        assertNoLayerKept();
        byte[] many = tarBytes(t -> {
            for (int i = 0; i < 1500; i++) {
                file(t, "f" + i, 0644, new byte[0]);
            }
        });
        Path layout2 = layout("many", many);
        try (ImageService service = service(new ExtractionLimits(1L << 30, 1000))) {
            assertThatThrownBy(() -> service.importArchive(layout2, null, PullListener.NONE))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("more than 1000 entries");
        }
        assertNoLayerKept();
        assertNothingEscaped();
    }

    private static Digest bombDiffId() throws IOException {
        // The uncompressed stream's digest, computed the same way the tar above was written.
        java.security.MessageDigest md = Digest.newSha256();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(new java.security.DigestOutputStream(
                java.io.OutputStream.nullOutputStream(), md))) {
            TarArchiveEntry e = new TarArchiveEntry("zeros");
            e.setSize(64L << 20);
            t.putArchiveEntry(e);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                t.write(zeros);
            }
            t.closeArchiveEntry();
        }
        return new Digest("sha256", java.util.HexFormat.of().formatHex(md.digest()));
    }

    private Image importOne(byte[] layer) throws IOException {
        try (ImageService service = service(ExtractionLimits.DEFAULT)) {
            List<Image> images = service.importArchive(layout("ok", layer), null, PullListener.NONE);
            assertThat(images).hasSize(1);
            return images.getFirst();
        }
    }

    private int layouts;

    private Path layout(String name, byte[] layer) throws IOException {
        return layout(name, layer, Digest.sha256(layer));
    }

    /** An OCI layout of one single-layer image named localhost/hostile:NAME. */
    private Path layout(String name, byte[] layer, Digest diffId) throws IOException {
        Path dir = temp.resolve("layouts").resolve(name + "-" + layouts++);
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Digest layerDigest = blob(dir, layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = blob(dir, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":"
                + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest = blob(dir, manifest);
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifestDigest + "\",\"size\":"
                + manifest.length + ",\"annotations\":{\"io.containerd.image.name\":\"localhost/hostile:" + name
                + "\"}}]}");
        return dir;
    }

    private static Digest blob(Path dir, byte[] bytes) throws IOException {
        Digest d = Digest.sha256(bytes);
        Files.write(dir.resolve("blobs/sha256").resolve(d.hex()), bytes);
        return d;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void symlink(TarArchiveOutputStream t, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    private static void hardlink(TarArchiveOutputStream t, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    private static void deleteTree(Path p) throws IOException {
        Tools.run(List.of("rm", "-rf", "--one-file-system", p.toString()));
    }
}
