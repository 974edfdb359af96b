package dev.agentkernel.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.PermissionDeniedException;
import dev.agentkernel.testing.LocalRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from real distribution registries on loopback into a real store (root: whiteouts, owners). */
class ImagePullIT {

    static TestImages images;

    @TempDir
    Path temp;

    @BeforeAll
    static void images() throws Exception {
        images = TestImages.get();
    }

    private ImageService service() {
        return ImageService.open(ImageServiceConfig.defaults(temp.resolve("store")).withDockerConfig(null));
    }

    private ImageService service(ImageServiceConfig config) {
        return ImageService.open(config);
    }

    @Test
    void multiLayerImageMatchesUmociFileForFileFlattenedAndThroughOverlayfs() throws Exception {
        List<PullEvent> events = Collections.synchronizedList(new ArrayList<>());
        try (ImageService service = service()) {
            Image image = service.resolve(images.ref(images.plain, "test/base:1"), PullPolicy.MISSING, events::add);
            assertThat(image.layers()).hasSize(3);
            assertThat(image.reference().toString()).isEqualTo(images.plain.host() + "/test/base:1");
            assertThat(image.config().env()).contains("IMAGE_NAME=base");
            assertThat(image.config().workingDir()).isEqualTo("/home/user");
            assertThat(image.config().cmd()).containsExactly("/bin/sh");
            assertThat(events.stream().filter(e -> e instanceof PullEvent.LayerDone)).hasSize(3);
            assertThat(events.getLast()).isInstanceOf(PullEvent.Completed.class);

            Path flat = temp.resolve("flat");
            service.materialize(image, flat);
            Map<String, String> expected = TreeSnapshot.of(images.umociRootfs("base"));
            assertThat(TreeSnapshot.of(flat)).isEqualTo(expected);
            assertThat(flat.resolve("etc/remove-me")).doesNotExist();
            assertThat(flat.resolve("opt/keep/gone.txt")).doesNotExist();
            assertThat(flat.resolve("opt/keep/stay.txt")).exists();
            try (var s = Files.list(flat.resolve("opt/old"))) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactly("new.txt");
            }
            assertThat(Files.isSameFile(flat.resolve("usr/lib/hardlink-a"), flat.resolve("usr/lib/hardlink-b")))
                    .isTrue();

            // The layer directories as they are: overlayfs whiteouts, and the opaque directory marked.
            Path whiteout = image.layers().get(1).resolve("etc/remove-me");
            assertThat(TreeSnapshot.describe(whiteout, Files.readAttributes(whiteout,
                    java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)))
                    .startsWith("special 020000").endsWith("rdev=0");
            assertThat(Tools.run(List.of("getfattr", "--absolute-names", "-n", "trusted.overlay.opaque",
                    image.layers().get(2).resolve("opt/old").toString()))).contains("trusted.overlay.opaque=\"y\"");

            // The kernel's overlayfs over the layer directories gives the same tree.
            Path merged = temp.resolve("merged");
            Files.createDirectories(merged);
            List<String> lower = new ArrayList<>();
            image.layers().reversed().forEach(p -> lower.add(p.toString()));
            Tools.run(List.of("mount", "-t", "overlay", "overlay", "-o", "ro,lowerdir=" + String.join(":", lower),
                    merged.toString()));
            try {
                assertThat(TreeSnapshot.of(merged)).isEqualTo(expected);
            } finally {
                Tools.run(List.of("umount", merged.toString()));
            }
        }
    }

    @Test
    void dockerV2Schema2AndZstdImagesGiveTheSameTree() throws Exception {
        Map<String, String> expected = TreeSnapshot.of(images.umociRootfs("base"));
        try (ImageService service = service()) {
            for (String ref : List.of("test/v2s2:1", "test/zstd:1")) {
                Image image = service.resolve(images.ref(images.plain, ref), PullPolicy.MISSING, PullListener.NONE);
                Path flat = temp.resolve(ref.replace('/', '_'));
                service.materialize(image, flat);
                assertThat(TreeSnapshot.of(flat)).as(ref).isEqualTo(expected);
            }
        }
        // Both are the same layers, differently compressed: unpacked once (by diff_id).
        try (var dirs = Files.list(temp.resolve("store/layers/sha256"))) {
            assertThat(dirs.count()).isEqualTo(3);
        }
    }

    @Test
    void multiPlatformIndexResolvesToTheHostPlatform() throws Exception {
        String expected = System.getProperty("os.arch").equals("aarch64") ? "MARKER=arm64" : "MARKER=amd64";
        try (ImageService service = service()) {
            Image image = service.resolve(images.ref(images.plain, "test/multi:1"), PullPolicy.MISSING,
                    PullListener.NONE);
            assertThat(image.config().env()).contains(expected);
            assertThat(image.platform()).startsWith("linux/");
            // The index digest finds it too.
            String indexDigest = registryDigest(images.plain, "test/multi", "1");
            assertThat(service.find(images.ref(images.plain, "test/multi@" + indexDigest))).isPresent();
        }
    }

    @Test
    void basicAuthFromConfigurationAndFromDockerConfigJson() throws Exception {
        String ref = images.ref(images.basic, "test/base:1");
        try (ImageService anonymous = service()) {
            assertThatThrownBy(() -> anonymous.resolve(ref, PullPolicy.MISSING, PullListener.NONE))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("docker login");
        }
        try (ImageService configured = service(ImageServiceConfig.defaults(temp.resolve("s1")).withDockerConfig(null)
                .withRegistry(images.basic.host(), RegistrySettings.DEFAULT
                        .withCredentials(TestImages.USER, TestImages.PASSWORD)))) {
            assertThat(configured.resolve(ref, PullPolicy.MISSING, PullListener.NONE).layers()).hasSize(3);
        }
        Path dockerConfig = temp.resolve("docker/config.json");
        Files.createDirectories(dockerConfig.getParent());
        String auth = Base64.getEncoder().encodeToString((TestImages.USER + ":" + TestImages.PASSWORD).getBytes());
        Files.writeString(dockerConfig, "{\"auths\":{\"" + images.basic.host() + "\":{\"auth\":\"" + auth + "\"}}}");
        try (ImageService fromDocker = service(ImageServiceConfig.defaults(temp.resolve("s2"))
                .withDockerConfig(dockerConfig))) {
            assertThat(fromDocker.resolve(ref, PullPolicy.MISSING, PullListener.NONE).layers()).hasSize(3);
        }
    }

    @Test
    void bearerTokenFlowAgainstARegistryThatEnforcesTokens() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + images.token.host()
                    + "/v2/test/base/manifests/1")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer realm=");
        }
        int before = images.tokenServer.tokensIssued.get();
        try (ImageService service = service()) {
            Image image = service.resolve(images.ref(images.token, "test/derived:1"), PullPolicy.MISSING,
                    PullListener.NONE);
            assertThat(image.layers()).hasSize(4);
        }
        assertThat(images.tokenServer.tokensIssued.get()).isGreaterThan(before);
    }

    @Test
    void tamperedBlobIsRefusedAndNothingIsStored() throws Exception {
        String layer = lastLayer("tamper");
        Path data = images.plain.blobData(layer);
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(data, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        try (ImageService service = service()) {
            assertThatThrownBy(() -> service.resolve(images.ref(images.plain, "tamper/img:1"), PullPolicy.MISSING,
                    PullListener.NONE))
                    .isInstanceOf(AgentKernelException.class)
                    .hasMessageContaining(layer).hasMessageContaining("wrong content");
            assertThat(service.list()).isEmpty();
        }
        Path store = temp.resolve("store");
        assertThat(store.resolve("blobs/sha256").resolve(layer.substring(7))).doesNotExist();
        try (var s = Files.walk(store.resolve("tmp"))) {
            // only the process's own (empty) work directory, tmp/<pid>-<n>
            assertThat(s.filter(p -> !Files.isDirectory(p))).isEmpty();
        }
        try (var s = Files.list(store.resolve("images"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void aSecondImageSharingBaseLayersDownloadsOnlyItsOwn() throws Exception {
        try (ImageService service = service()) {
            service.resolve(images.ref(images.plain, "test/base:1"), PullPolicy.MISSING, PullListener.NONE);
            int seen = images.plain.blobGets().size();
            Image derived = service.resolve(images.ref(images.plain, "test/derived:1"), PullPolicy.MISSING,
                    PullListener.NONE);
            List<LocalRegistry.BlobGet> gets = images.plain.blobGets().subList(seen, images.plain.blobGets().size());
            Set<String> fetched = gets.stream().map(LocalRegistry.BlobGet::digest).collect(Collectors.toSet());
            JsonNode manifest = manifest("derived");
            String ownLayer = manifest.path("layers").get(3).path("digest").asText();
            String config = manifest.path("config").path("digest").asText();
            assertThat(fetched).containsExactlyInAnyOrder(ownLayer, config);
            long layerBytes = gets.stream().filter(g -> g.digest().equals(ownLayer))
                    .mapToLong(LocalRegistry.BlobGet::bytes).sum();
            assertThat(layerBytes).isEqualTo(manifest.path("layers").get(3).path("size").asLong());
            System.out.println("second image fetched " + gets.size() + " blobs, " + gets.stream()
                    .mapToLong(LocalRegistry.BlobGet::bytes).sum() + " bytes (its own layer: " + layerBytes + ")");
            assertThat(derived.layers().subList(0, 3))
                    .isEqualTo(service.find(images.ref(images.plain, "test/base:1")).orElseThrow().layers());
        }
    }

    @Test
    void concurrentPullsOfOneImageDownloadEachBlobOnce() throws Exception {
        String ref = images.ref(images.plain, "test/derived:1");
        try (ImageService service = service(); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            int seen = images.plain.blobGets().size();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Image>> pulls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pulls.add(pool.submit(() -> {
                    go.await();
                    return service.resolve(ref, PullPolicy.ALWAYS, PullListener.NONE);
                }));
            }
            go.countDown();
            Set<String> digests = new HashSet<>();
            for (Future<Image> f : pulls) {
                digests.add(f.get().digest());
            }
            assertThat(digests).hasSize(1);
            String config = manifest("derived").path("config").path("digest").asText();
            Map<String, Long> perBlob = images.plain.blobGets().subList(seen, images.plain.blobGets().size()).stream()
                    .filter(g -> !g.digest().equals(config))
                    .collect(Collectors.groupingBy(LocalRegistry.BlobGet::digest, Collectors.counting()));
            assertThat(perBlob).hasSize(4).allSatisfy((digest, count) -> assertThat(count).as(digest).isEqualTo(1));
        }
    }

    @Test
    void policyNeverWithAnAbsentImageNamesTheImageAndTheFixes() {
        try (ImageService service = service()) {
            String ref = images.ref(images.plain, "test/base:1");
            assertThatThrownBy(() -> service.resolve(ref, PullPolicy.NEVER, PullListener.NONE))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(ref).hasMessageContaining("agentkernel pull")
                    .hasMessageContaining("agentkernel image import").hasMessageContaining("mirror")
                    .hasMessageContaining("--image host");
            assertThatThrownBy(() -> service.resolve(images.ref(images.plain, "test/nope:1"), PullPolicy.MISSING,
                    PullListener.NONE)).isInstanceOf(NotFoundException.class).hasMessageContaining("test/nope:1");
            service.resolve(ref, PullPolicy.MISSING, PullListener.NONE);
            assertThat(service.resolve(ref, PullPolicy.NEVER, PullListener.NONE).layers()).hasSize(3);
        }
    }

    @Test
    void aMirrorServesARegistryThatIsNotReachable() {
        ImageServiceConfig config = ImageServiceConfig.defaults(temp.resolve("store")).withDockerConfig(null)
                .withRegistry("registry.invalid", RegistrySettings.DEFAULT
                        .withMirrors(List.of("http://" + images.plain.host())));
        try (ImageService service = service(config)) {
            Image image = service.resolve("registry.invalid/test/base:1", PullPolicy.MISSING, PullListener.NONE);
            assertThat(image.reference().registry()).isEqualTo("registry.invalid");
            assertThat(image.layers()).hasSize(3);
        }
    }

    @Test
    void leasedImagesCannotBeRemovedAndPruneKeepsWhatIsUsed() throws Exception {
        try (ImageService service = service()) {
            Image base = service.resolve(images.ref(images.plain, "test/base:1"), PullPolicy.MISSING,
                    PullListener.NONE);
            Image derived = service.resolve(images.ref(images.plain, "test/derived:1"), PullPolicy.MISSING,
                    PullListener.NONE);
            StoreUsage before = service.usage();
            assertThat(before.images()).isEqualTo(2);
            assertThat(before.layers()).isEqualTo(4);
            ImageLease lease = service.lease(derived, "sandbox sb-1");
            assertThatThrownBy(() -> service.remove(derived.reference().toString()))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("sandbox sb-1");
            assertThat(service.prune().layers()).isZero();
            lease.close();
            service.remove(derived.reference().toString());
            assertThat(service.list()).extracting(Image::reference).containsExactly(base.reference());
            PruneResult pruned = service.prune();
            assertThat(pruned.layers()).isEqualTo(1);
            assertThat(pruned.blobs()).isEqualTo(3); // its manifest, config and layer blob
            assertThat(pruned.bytesFreed()).isPositive();
            assertThat(service.usage().totalBytes()).isLessThan(before.totalBytes());
            assertThat(service.find(base.reference().toString())).isPresent();
            assertThatThrownBy(() -> service.remove(derived.reference().toString()))
                    .isInstanceOf(NotFoundException.class);
        }
    }

    @Test
    void theLeasesOfAnotherLiveProcessOnTheSameStoreAreHonouredAndADeadOnesAreNot() throws Exception {
        try (ImageService service = service()) {
            Image derived = service.resolve(images.ref(images.plain, "test/derived:1"), PullPolicy.MISSING,
                    PullListener.NONE);
            // what another process (a daemon) holding a lease leaves in the store: leases/<pid>-<id>
            Process other = new ProcessBuilder("sleep", "120").start();
            try {
                List<String> lines = new java.util.ArrayList<>(List.of("sandbox in-the-daemon", derived.digest()));
                derived.layers().forEach(l -> lines.add(l.getFileName().toString()));
                java.nio.file.Files.write(service.root().resolve("leases").resolve(other.pid() + "-7"), lines);
                assertThatThrownBy(() -> service.remove(derived.reference().toString()))
                        .isInstanceOf(ConflictException.class).hasMessageContaining("sandbox in-the-daemon");
            } finally {
                other.destroyForcibly().waitFor();
            }
            // its process is gone: so is its lease
            service.remove(derived.reference().toString());
            assertThat(service.prune().layers()).isEqualTo(4);
        }
    }

    private static JsonNode manifest(String tag) throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (JsonNode m : json.readTree(images.layout.resolve("index.json").toFile()).path("manifests")) {
            if (m.path("annotations").path("org.opencontainers.image.ref.name").asText().equals(tag)) {
                String hex = m.path("digest").asText().substring(7);
                return json.readTree(images.layout.resolve("blobs/sha256").resolve(hex).toFile());
            }
        }
        throw new AssertionError("no tag " + tag);
    }

    private static String lastLayer(String tag) throws IOException {
        JsonNode layers = manifest(tag).path("layers");
        return layers.get(layers.size() - 1).path("digest").asText();
    }

    private static String registryDigest(LocalRegistry registry, String repo, String tag) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + registry.host() + "/v2/"
                    + repo + "/manifests/" + tag)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept", "application/vnd.oci.image.index.v1+json").build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
        }
    }
}
