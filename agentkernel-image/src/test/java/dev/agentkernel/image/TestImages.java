package dev.agentkernel.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.image.oci.Digest;
import dev.agentkernel.testing.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The images of the integration tests, built once per JVM with real tools and pushed to real
 * registries on loopback: a busybox-static root file system made into an OCI layout by umoci
 * (several layers: a whiteout, an opaque directory added with {@code umoci raw add-layer}), an
 * image on top of it, a two-platform index, a zstd copy, a Docker v2 schema 2 copy, and a
 * {@code docker save} tarball, all pushed or written by skopeo.
 *
 * <p>Three registries share one storage directory: {@link #plain} (no auth; pushes go there),
 * {@link #basic} (htpasswd) and {@link #token} (bearer tokens from {@link TokenServer}).
 */
public final class TestImages {

    static final String USER = "tester";
    static final String PASSWORD = "s3cret-pass";
    private static TestImages instance;

    final Path work;
    public final Path layout;
    public final LocalRegistry plain;
    final LocalRegistry basic;
    final LocalRegistry token;
    final TokenServer tokenServer;
    public final Path dockerArchive;
    public final Path ociArchive;

    /** The images, built on first use; skips (or in CI fails) the caller on a host without the tools. */
    public static synchronized TestImages get() throws Exception {
        Tools.requireHost();
        if (instance == null) {
            instance = new TestImages();
        }
        return instance;
    }

    private TestImages() throws Exception {
        work = Files.createTempDirectory("ak-image-it-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (LocalRegistry r : new LocalRegistry[] {plainOrNull(), basicOrNull(), tokenOrNull()}) {
                if (r != null) {
                    r.close();
                }
            }
            Tools.run(List.of("rm", "-rf", "--one-file-system", work.toString()));
        }));
        Path storage = work.resolve("registry-data");
        Files.createDirectories(storage);
        plain = LocalRegistry.start(work, storage, "plain", "");
        Path htpasswd = work.resolve("htpasswd");
        Files.writeString(htpasswd, Tools.run(List.of("htpasswd", "-Bbn", USER, PASSWORD)));
        basic = LocalRegistry.start(work, storage, "basic", """
                auth:
                  htpasswd:
                    realm: agentkernel-test
                    path: %s
                """.formatted(htpasswd));
        tokenServer = new TokenServer(work);
        token = LocalRegistry.start(work, storage, "token", tokenServer.authYaml());

        layout = work.resolve("oci");
        buildLayout();
        push("base", "test/base:1");
        push("derived", "test/derived:1");
        push("tamper", "tamper/img:1");
        Tools.run(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "--format", "v2s2",
                "oci:" + layout + ":base", "docker://" + plain.host() + "/test/v2s2:1"));
        Path zstdLayout = work.resolve("oci-zstd");
        Tools.run(List.of("skopeo", "copy", "--quiet", "--dest-compress", "--dest-compress-format", "zstd",
                "oci:" + layout + ":base", "oci:" + zstdLayout + ":zstd"));
        Tools.run(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                "oci:" + zstdLayout + ":zstd", "docker://" + plain.host() + "/test/zstd:1"));
        Tools.run(List.of("skopeo", "copy", "--quiet", "--all", "--dest-tls-verify=false",
                "oci:" + layout + ":multi", "docker://" + plain.host() + "/test/multi:1"));
        dockerArchive = work.resolve("derived-docker-save.tar");
        Tools.run(List.of("skopeo", "copy", "--quiet", "oci:" + layout + ":derived",
                "docker-archive:" + dockerArchive + ":test/imported:1"));
        ociArchive = work.resolve("base-oci.tar");
        Tools.run(List.of("skopeo", "copy", "--quiet", "oci:" + layout + ":base",
                "oci-archive:" + ociArchive + ":base"));
    }

    private String debian;

    /**
     * A Debian 13 (trixie) minbase image with {@code curl} and {@code ca-certificates} (a TLS
     * client that reads the image's own trust store), made by mmdebstrap from the Debian mirror (its tarball
     * cached for a week in {@code ~/.cache/agentkernel-tests}), repacked by umoci and pushed to
     * {@link #plain} as {@code test/debian:13}: a glibc image whose {@code os-release} and software
     * versions are not this Debian 12 host's. Built on first use.
     */
    public synchronized String debian() throws IOException {
        if (debian == null) {
            Path cache = Path.of(System.getProperty("user.home"), ".cache", "agentkernel-tests");
            Path tar = cache.resolve("debian-trixie-minbase-curl.tar");
            if (!Files.isRegularFile(tar) || Files.getLastModifiedTime(tar).toInstant()
                    .isBefore(java.time.Instant.now().minus(java.time.Duration.ofDays(7)))) {
                Files.createDirectories(cache);
                Path tmp = cache.resolve("debian-trixie-minbase-curl.tmp-" + ProcessHandle.current().pid() + ".tar");
                Tools.run(List.of("rm", "-rf", "--one-file-system", tar.toString()));
                Tools.run(List.of("mmdebstrap", "--variant=minbase", "--include=ca-certificates,curl", "--format=tar",
                        "--quiet", "trixie",
                        tmp.toString(), "http://deb.debian.org/debian"), null, 900);
                Files.move(tmp, tar, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            umoci("new", "--image", layout + ":debian-empty");
            Path bundle = work.resolve("bundle-debian");
            umoci("unpack", "--image", layout + ":debian-empty", bundle.toString());
            Tools.run(List.of("tar", "-xpf", tar.toString(), "--numeric-owner", "-C",
                    bundle.resolve("rootfs").toString()));
            umoci("repack", "--image", layout + ":debian", bundle.toString());
            umoci("config", "--image", layout + ":debian", "--config.env",
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "--config.cmd", "bash");
            push("debian", "test/debian:13");
            Tools.run(List.of("rm", "-rf", "--one-file-system", bundle.toString()));
            debian = ref(plain, "test/debian:13");
        }
        return debian;
    }

    private final java.util.Map<String, Path> umociTrees = new java.util.HashMap<>();

    /** The root file system {@code umoci unpack} makes of the layout's {@code tag} (as root: owners kept). */
    synchronized Path umociRootfs(String tag) {
        return umociTrees.computeIfAbsent(tag, t -> {
            Path bundle = work.resolve("umoci-" + t);
            umoci("unpack", "--image", layout + ":" + t, bundle.toString());
            return bundle.resolve("rootfs");
        });
    }

    private LocalRegistry plainOrNull() {
        return plain;
    }

    private LocalRegistry basicOrNull() {
        return basic;
    }

    private LocalRegistry tokenOrNull() {
        return token;
    }

    /** {@code host:port/repoAndTag} on {@code registry}. */
    public String ref(LocalRegistry registry, String repoAndTag) {
        return registry.host() + "/" + repoAndTag;
    }

    private void push(String tag, String target) {
        Tools.run(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci:" + layout + ":" + tag,
                "docker://" + plain.host() + "/" + target));
    }

    private void umoci(String... args) {
        List<String> cmd = new ArrayList<>(List.of("umoci"));
        cmd.addAll(List.of(args));
        Tools.run(cmd);
    }

    private void buildLayout() throws Exception {
        umoci("init", "--layout", layout.toString());
        umoci("new", "--image", layout + ":empty");
        Path bundle = work.resolve("bundle");
        umoci("unpack", "--image", layout + ":empty", bundle.toString());
        Path rootfs = bundle.resolve("rootfs");
        busyboxRootfs(rootfs);
        umoci("repack", "--refresh-bundle", "--image", layout + ":base1", bundle.toString());

        // Layer 2: a deletion (whiteout), a changed file, a new data file.
        Files.delete(rootfs.resolve("etc/remove-me"));
        Files.delete(rootfs.resolve("opt/keep/gone.txt"));
        Files.writeString(rootfs.resolve("etc/motd"), "layer two\n");
        Files.createDirectories(rootfs.resolve("usr/share"));
        Files.write(rootfs.resolve("usr/share/data.bin"), random(100_000, 2));
        umoci("repack", "--refresh-bundle", "--image", layout + ":base2", bundle.toString());

        // Layer 3, made by hand: an opaque directory (everything below opt/old from earlier layers hidden).
        Path layer3 = work.resolve("opaque-layer.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(layer3))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            dir(tar, "opt/", 0755);
            dir(tar, "opt/old/", 0755);
            file(tar, "opt/old/.wh..wh..opq", 0644, new byte[0]);
            file(tar, "opt/old/new.txt", 0644, "only this\n".getBytes(StandardCharsets.UTF_8));
        }
        umoci("raw", "add-layer", "--image", layout + ":base2", "--tag", "base", layer3.toString());
        umoci("config", "--image", layout + ":base", "--config.env", "IMAGE_NAME=base",
                "--config.workingdir", "/home/user", "--config.cmd", "/bin/sh");

        // derived = base + one layer.
        Path bundle2 = work.resolve("bundle2");
        umoci("unpack", "--image", layout + ":base", bundle2.toString());
        Files.createDirectories(bundle2.resolve("rootfs/app"));
        Files.writeString(bundle2.resolve("rootfs/app/hello.txt"), "hello from derived\n");
        umoci("repack", "--image", layout + ":derived", bundle2.toString());

        // tamper = base + a layer of unique content (its blob is corrupted in the registry by a test).
        Path bundle3 = work.resolve("bundle3");
        umoci("unpack", "--image", layout + ":base", bundle3.toString());
        Files.write(bundle3.resolve("rootfs/unique.bin"), random(50_000, System.nanoTime()));
        umoci("repack", "--image", layout + ":tamper", bundle3.toString());

        // A two-platform index: amd64 and arm64 variants of base, told apart by an env variable.
        umoci("config", "--image", layout + ":base", "--tag", "amd", "--config.env", "MARKER=amd64");
        umoci("config", "--image", layout + ":base", "--tag", "arm", "--architecture", "arm64",
                "--config.env", "MARKER=arm64");
        addIndex("multi", List.of("amd", "arm"), List.of("amd64", "arm64"));
    }

    private void addIndex(String tag, List<String> tags, List<String> arches) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path indexFile = layout.resolve("index.json");
        ObjectNode top = (ObjectNode) json.readTree(indexFile.toFile());
        ArrayNode entries = json.createArrayNode();
        for (int i = 0; i < tags.size(); i++) {
            for (JsonNode m : top.path("manifests")) {
                if (m.path("annotations").path("org.opencontainers.image.ref.name").asText().equals(tags.get(i))) {
                    ObjectNode e = json.createObjectNode();
                    e.put("mediaType", m.path("mediaType").asText());
                    e.put("digest", m.path("digest").asText());
                    e.put("size", m.path("size").asLong());
                    ObjectNode platform = e.putObject("platform");
                    platform.put("architecture", arches.get(i));
                    platform.put("os", "linux");
                    if (arches.get(i).equals("arm64")) {
                        platform.put("variant", "v8");
                    }
                    entries.add(e);
                }
            }
        }
        ObjectNode index = json.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.set("manifests", entries);
        byte[] bytes = json.writeValueAsBytes(index);
        Digest d = Digest.sha256(bytes);
        Files.write(layout.resolve("blobs/sha256").resolve(d.hex()), bytes);
        ObjectNode ref = ((ArrayNode) top.path("manifests")).addObject();
        ref.put("mediaType", "application/vnd.oci.image.index.v1+json");
        ref.put("digest", d.toString());
        ref.put("size", bytes.length);
        ref.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
        json.writeValue(indexFile.toFile(), top);
    }

    /** A small busybox-static root file system with owners, modes, links and set-id bits to keep. */
    static void busyboxRootfs(Path rootfs) throws IOException {
        for (String d : List.of("bin", "etc", "usr/bin", "usr/lib", "tmp", "home/user", "opt/old/sub", "opt/keep",
                "var/empty")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "ls", "cat", "echo", "env", "id", "true", "uname")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.createSymbolicLink(rootfs.resolve("lib"), Path.of("usr/lib"));
        Files.writeString(rootfs.resolve("etc/os-release"), "NAME=\"AgentKernel test busybox\"\nID=akbusybox\n");
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nuser:x:1000:\n");
        Files.writeString(rootfs.resolve("etc/motd"), "layer one\n");
        Files.writeString(rootfs.resolve("etc/remove-me"), "gone in layer two\n");
        Files.writeString(rootfs.resolve("opt/old/a"), "a\n");
        Files.writeString(rootfs.resolve("opt/old/sub/c"), "c\n");
        Files.writeString(rootfs.resolve("opt/keep/stay.txt"), "stay\n");
        Files.writeString(rootfs.resolve("opt/keep/gone.txt"), "gone\n");
        Path secret = rootfs.resolve("home/user/secret.txt");
        Files.writeString(secret, "owned by 1000\n");
        Files.setAttribute(secret, "unix:uid", 1000);
        Files.setAttribute(secret, "unix:gid", 1000);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));
        Files.setAttribute(rootfs.resolve("home/user"), "unix:uid", 1000);
        Files.setAttribute(rootfs.resolve("home/user"), "unix:gid", 1000);
        Path suid = rootfs.resolve("usr/bin/suid-tool");
        Files.writeString(suid, "#!/bin/sh\necho suid\n");
        Files.setAttribute(suid, "unix:mode", 04755);
        Path a = rootfs.resolve("usr/lib/hardlink-a");
        Files.writeString(a, "one inode, two names\n");
        Files.createLink(rootfs.resolve("usr/lib/hardlink-b"), a);
        Files.setAttribute(rootfs.resolve("var/empty"), "unix:mode", 0700);
        Files.setAttribute(rootfs.resolve("tmp"), "unix:mode", 01777);
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void dir(TarArchiveOutputStream tar, String name, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040000 | mode);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    static void file(TarArchiveOutputStream tar, String name, int mode, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100000 | mode);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    static byte[] tarBytes(TarBody body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            body.write(tar);
        }
        return out.toByteArray();
    }

    /** Writes the entries of a tar. */
    @FunctionalInterface
    interface TarBody {
        void write(TarArchiveOutputStream tar) throws IOException;
    }
}
