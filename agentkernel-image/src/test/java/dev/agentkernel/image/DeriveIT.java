package dev.agentkernel.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.image.store.LayerTarWriter;
import dev.agentkernel.model.InvalidRequestException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sandbox's writable layer made into an image ({@link LayerTarWriter}, {@link ImageService#derive}):
 * the upper directory of an overlay (files, links, hard links, whiteouts, opaque directories,
 * owners in the sandbox's host id range) and a workspace tree become one OCI layer over the base
 * image, whose flattened tree is the base changed exactly as the sandbox changed it.
 */
class DeriveIT {

    private static final long BASE = 1_879_048_192L;

    static TestImages images;

    @TempDir
    Path temp;

    @BeforeAll
    static void images() throws Exception {
        images = TestImages.get();
    }

    @Test
    void anUpperDirectoryAndAWorkspaceBecomeOneLayerOverTheBase() throws Exception {
        try (ImageService service = ImageService.open(ImageServiceConfig.defaults(temp.resolve("store"))
                .withDockerConfig(null))) {
            Image base = service.importArchive(images.dockerArchive, null, PullListener.NONE).getFirst();
            Path flatBase = temp.resolve("flat-base");
            service.materialize(base, flatBase);
            assertThat(flatBase.resolve("bin/busybox")).exists();
            List<String> topLevel;
            try (var s = Files.list(flatBase)) {
                topLevel = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            String removed = topLevel.contains("root") ? "root" : topLevel.getFirst();

            Path upper = temp.resolve("upper");
            Files.createDirectories(upper.resolve("usr/local/bin"));
            Path tool = upper.resolve("usr/local/bin/tool");
            Files.writeString(tool, "#!/bin/sh\necho installed\n");
            Files.setAttribute(tool, "unix:mode", 0755);
            Files.createLink(upper.resolve("usr/local/bin/tool-link"), tool);
            Files.createSymbolicLink(upper.resolve("usr/local/bin/alias"), Path.of("tool"));
            chown(upper.resolve("usr/local/bin"), BASE);
            chown(tool, BASE + 1000);
            Files.createDirectories(upper.resolve("etc"));
            Files.writeString(upper.resolve("etc/added.conf"), "x=1\n");
            Files.createDirectories(upper.resolve("workspace"));
            Files.writeString(upper.resolve("workspace/hidden"), "under the bind mount");
            Files.createDirectories(upper.resolve("opaque-dir"));
            setOpaque(upper.resolve("opaque-dir"));
            Files.writeString(upper.resolve("opaque-dir/only"), "only me");
            whiteout(upper.resolve(removed));

            Path workspace = temp.resolve("ws");
            Files.createDirectories(workspace.resolve("src"));
            Files.writeString(workspace.resolve("src/main.py"), "print(1)\n");
            chown(workspace.resolve("src/main.py"), BASE + 5);

            Path tar = temp.resolve("layer.tar");
            try (OutputStream out = Files.newOutputStream(tar);
                 LayerTarWriter writer = new LayerTarWriter(out, DeriveIT::toSandbox, DeriveIT::toSandbox)) {
                writer.addUpper(upper, Set.of("workspace"));
                writer.addTree(workspace, "workspace");
            }
            Map<String, TarArchiveEntry> entries = entries(tar);
            assertThat(entries).containsKeys(".wh." + removed, "opaque-dir/.wh..wh..opq", "workspace/.wh..wh..opq",
                    "workspace/src/main.py", "usr/local/bin/tool");
            assertThat(entries).doesNotContainKey("workspace/hidden");
            assertThat(entries.get("usr/local/bin/tool").getLongUserId()).isEqualTo(1000);
            assertThat(entries.get("workspace/src/main.py").getLongUserId()).isEqualTo(5);
            assertThat(entries.get("usr/local/bin/tool-link").isLink()).isTrue();
            assertThat(entries.get("usr/local/bin/alias").isSymbolicLink()).isTrue();

            Path tar2 = temp.resolve("layer2.tar");
            try (OutputStream out = Files.newOutputStream(tar2);
                 LayerTarWriter writer = new LayerTarWriter(out, DeriveIT::toSandbox, DeriveIT::toSandbox)) {
                writer.addUpper(upper, Set.of("workspace"));
                writer.addTree(workspace, "workspace");
            }
            assertThat(sha(tar2)).as("the same files make the same layer").isEqualTo(sha(tar));

            Image derived = service.derive(base, "snapshots.agentkernel.local/test:1", tar, "sha256:" + sha(tar),
                    "agentkernel snapshot");
            assertThat(tar).as("moved into the store").doesNotExist();
            assertThat(derived.layers()).hasSize(base.layers().size() + 1);
            assertThat(derived.layers().subList(0, base.layers().size())).isEqualTo(base.layers());
            assertThat(derived.digest()).isNotEqualTo(base.digest());
            assertThat(service.find("snapshots.agentkernel.local/test:1")).map(Image::digest).contains(derived.digest());
            assertThat(service.find("snapshots.agentkernel.local/test@" + derived.digest())).isPresent();
            assertThat(derived.config()).isEqualTo(base.config());

            Path flat = temp.resolve("flat");
            service.materialize(derived, flat);
            assertThat(flat.resolve(removed)).doesNotExist();
            assertThat(Files.readString(flat.resolve("usr/local/bin/tool"))).contains("installed");
            assertThat(Files.readSymbolicLink(flat.resolve("usr/local/bin/alias"))).isEqualTo(Path.of("tool"));
            assertThat(Files.getAttribute(flat.resolve("usr/local/bin/tool"), "unix:uid")).isEqualTo(1000);
            assertThat(Files.getAttribute(flat.resolve("usr/local/bin/tool-link"), "unix:ino"))
                    .isEqualTo(Files.getAttribute(flat.resolve("usr/local/bin/tool"), "unix:ino"));
            assertThat(flat.resolve("bin/busybox")).as("the base's files stay").exists();
            assertThat(Files.readString(flat.resolve("workspace/src/main.py"))).isEqualTo("print(1)\n");

            Path seeded = temp.resolve("seeded");
            new dev.agentkernel.image.store.RootfsFlattener(id -> id + BASE).flattenDirectory(derived.layers(), "workspace", seeded);
            assertThat(Files.readString(seeded.resolve("src/main.py"))).isEqualTo("print(1)\n");
            assertThat(Files.getAttribute(seeded.resolve("src/main.py"), "unix:uid")).isEqualTo((int) (BASE + 5));
            assertThat(seeded.resolve("hidden")).doesNotExist();
            Path none = temp.resolve("none");
            new dev.agentkernel.image.store.RootfsFlattener(id -> id + BASE).flattenDirectory(base.layers(), "workspace", none);
            try (var s = Files.list(none)) {
                assertThat(s.count()).as("a base without /workspace seeds nothing").isZero();
            }

            // a layer that breaks the store's rules is refused like a pulled one
            Path bad = temp.resolve("bad.tar");
            try (OutputStream out = Files.newOutputStream(bad);
                 var t = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
                TarArchiveEntry e = new TarArchiveEntry("../escape");
                e.setSize(1);
                t.putArchiveEntry(e);
                t.write('x');
                t.closeArchiveEntry();
            }
            String badDigest = sha(bad);
            assertThatThrownBy(() -> service.derive(base, "snapshots.agentkernel.local/bad:1", bad, "sha256:" + badDigest,
                    "x")).isInstanceOf(InvalidRequestException.class);
            assertThat(service.find("snapshots.agentkernel.local/bad:1")).isEmpty();
            assertThat(temp.resolve("store/blobs/sha256").resolve(badDigest)).as("nothing of it stays").doesNotExist();
            // a tar that is not what its digest says is refused, and nothing of it stays either
            Path lying = temp.resolve("lying.tar");
            Files.copy(tar2, lying);
            String wrong = sha(tar2).replace(sha(tar2).substring(0, 4), "0000");
            assertThatThrownBy(() -> service.derive(base, "snapshots.agentkernel.local/lying:1", lying, "sha256:" + wrong,
                    "x")).isInstanceOf(InvalidRequestException.class);
            assertThat(temp.resolve("store/blobs/sha256").resolve(wrong)).doesNotExist();
            assertThat(service.find("snapshots.agentkernel.local/lying:1")).isEmpty();
        }
    }

    private static String sha(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
    }

    private static long toSandbox(long hostId) {
        return hostId >= BASE && hostId < BASE + 65_536 ? hostId - BASE : 0;
    }

    private static void chown(Path p, long id) throws Exception {
        Files.setAttribute(p, "unix:uid", (int) id, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) id, LinkOption.NOFOLLOW_LINKS);
    }

    private static void whiteout(Path p) throws Exception {
        Process mknod = new ProcessBuilder("mknod", p.toString(), "c", "0", "0").inheritIO().start();
        assertThat(mknod.waitFor()).isZero();
    }

    private static void setOpaque(Path dir) throws Exception {
        Process setfattr = new ProcessBuilder("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", dir.toString())
                .inheritIO().start();
        assertThat(setfattr.waitFor()).isZero();
    }

    private static Map<String, TarArchiveEntry> entries(Path tar) throws Exception {
        Map<String, TarArchiveEntry> out = new java.util.LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }
}
