package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sandboxes on real images, through a real daemon: the images are built by umoci and pushed by
 * skopeo to a registry on loopback (Debian's docker-registry, {@link TestImages}), and the
 * daemon pulls them on first use. {@code /run}, {@code /batch/run}, the warm pool and persistent
 * sandboxes all run on the image they name: its files (its own {@code /etc/os-release}, its
 * whiteouts), its {@code Env} and {@code WorkingDir}; writes go to a writable layer of the
 * sandbox's own (gone after a one-shot run, kept by a persistent sandbox across stop/start and a
 * daemon restart), never into the store's layers; the restrictive profile's root stays
 * read-only; an image no registry has is a 404 naming it and the fixes.
 */
class ImageSandboxesIT extends SandboxTestBase {

    static TestImages images;
    static String base;
    static String derived;

    @BeforeAll
    static void images() throws Exception {
        images = TestImages.get();
        base = images.ref(images.plain, "test/base:1");
        derived = images.ref(images.plain, "test/derived:1");
    }

    @Test
    void runIsOnTheImageWithItsEnvWorkdirAndLayers() {
        JsonNode data = runOk(List.of("sh", "-c", "cat /etc/os-release; echo env=$IMAGE_NAME; pwd; id -u; "
                + "cat /etc/motd; ls /opt/old; test -e /etc/remove-me || echo removed; grep -c . /etc/passwd"),
                Map.of("image", base, "fast", false));
        assertThat(data.path("exit_code").asInt()).as("%s", data).isZero();
        assertThat(data.path("output").asText().lines().toList()).as("%s", data).containsExactly(
                "NAME=\"AgentKernel test busybox\"", "ID=akbusybox", "env=base", "/home/user", "1000", "layer two",
                "new.txt", "removed", "2");
    }

    @Test
    void aOneShotSandboxWritesIntoItsOwnLayerOnly() throws IOException {
        JsonNode first = runOk(List.of("sh", "-c", "echo changed > /etc/motd && echo new > /usr/bin/added && "
                + "cat /etc/motd /usr/bin/added"), Map.of("image", base, "sudo", true));
        assertThat(first.path("output").asText()).as("%s", first).isEqualTo("changed\nnew\n");
        JsonNode second = runOk(List.of("sh", "-c", "cat /etc/motd; test -e /usr/bin/added || echo absent"),
                Map.of("image", base));
        assertThat(second.path("output").asText()).as("%s", second).isEqualTo("layer two\nabsent\n");
        // the store's layers are untouched
        Image stored = fx.daemon.images().find(base).orElseThrow();
        for (Path layer : stored.layers()) {
            assertThat(layer.resolve("usr/bin/added")).doesNotExist();
            Path motd = layer.resolve("etc/motd");
            if (Files.isRegularFile(motd)) {
                assertThat(Files.readString(motd)).startsWith("layer ");
            }
        }
    }

    @Test
    void theRestrictiveProfileKeepsTheImageRootReadOnly() {
        JsonNode data = runOk(List.of("sh", "-c", "echo x > /etc/motd"), Map.of("image", base, "profile",
                "restrictive", "sudo", true));
        assertThat(data.path("exit_code").asInt()).as("%s", data).isNotZero();
        assertThat(data.path("output").asText()).as("%s", data).containsIgnoringCase("read-only");
    }

    @Test
    void batchAndTheWarmPathRunOnTheImageToo() {
        JsonNode results = fx.postJson("/batch/run", Map.of("commands", List.of(
                Map.of("command", List.of("cat", "/app/hello.txt"), "image", derived),
                Map.of("command", List.of("sh", "-c", "grep ^ID= /etc/os-release"), "image", "host")))).data();
        assertThat(results.path("results").get(0).path("output").asText()).as("%s", results)
                .isEqualTo("hello from derived\n");
        assertThat(results.path("results").get(1).path("output").asText()).as("%s", results)
                .doesNotContain("akbusybox");
        for (int i = 0; i < 2; i++) {
            JsonNode fast = runOk(List.of("cat", "/app/hello.txt"), Map.of("image", derived, "fast", true));
            assertThat(fast.path("output").asText()).as("%s", fast).isEqualTo("hello from derived\n");
        }
    }

    @Test
    void aPersistentSandboxKeepsWhatWasInstalledIntoItsImage() throws IOException {
        api.createOk("img-keep", Map.of("image", base));
        api.execOk("img-keep", List.of("sh", "-c", "echo installed > /usr/bin/tool && rm /etc/motd"),
                Map.of("sudo", true));
        assertThat(api.stop("img-keep").status()).isEqualTo(200);
        assertThat(api.start("img-keep").status()).isEqualTo(200);
        assertThat(api.sh("img-keep", "cat /usr/bin/tool; test -e /etc/motd || echo motd-gone; "
                + "grep ^ID= /etc/os-release")).isEqualTo("installed\nmotd-gone\nID=akbusybox\n");

        restartDaemon();
        assertThat(api.get("img-keep").data().path("status").asText()).isEqualTo("running");
        assertThat(api.sh("img-keep", "cat /usr/bin/tool")).isEqualTo("installed\n");
    }

    @Test
    void aPersistentSandboxStaysOnTheImageItWasMadeOnWhenItsTagMoves() throws Exception {
        String moving = images.ref(images.plain, "test/moving:1");
        skopeoCopy("derived", moving);
        JsonNode created = api.createOk("img-pinned", Map.of("image", moving));
        assertThat(created.path("image").asText()).as("%s", created).startsWith(moving + "@sha256:");
        assertThat(api.sh("img-pinned", "cat /app/hello.txt")).isEqualTo("hello from derived\n");

        skopeoCopy("base", moving); // the tag now names base, which has no /app
        fx.postJson("/images/pull", Map.of("image", moving, "policy", "always"));
        assertThat(runOk(List.of("sh", "-c", "test -e /app/hello.txt || echo moved"), Map.of("image", moving))
                .path("output").asText()).isEqualTo("moved\n");

        assertThat(api.stop("img-pinned").status()).isEqualTo(200);
        assertThat(api.start("img-pinned").status()).isEqualTo(200);
        assertThat(api.sh("img-pinned", "cat /app/hello.txt")).isEqualTo("hello from derived\n");
    }

    private static void skopeoCopy(String layoutTag, String target) throws Exception {
        Process p = new ProcessBuilder("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                "oci:" + images.layout + ":" + layoutTag, "docker://" + target).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("skopeo copy: %s", out).isZero();
    }

    @Test
    void theWritableLayerOfAPersistentSandboxIsOnItsSizeLimitedDisk() {
        api.createOk("img-quota", Map.of("image", base, "disk_mb", 32));
        String out = api.execOk("img-quota", List.of("sh", "-c",
                "dd if=/dev/zero of=/opt/big bs=1M count=64 2>&1; echo rc=$?"), Map.of("sudo", true))
                .path("output").asText();
        assertThat(out).contains("No space left on device").doesNotContain("rc=0");
        assertThat(api.execOk("img-quota", List.of("sh", "-c", "rm -f /opt/big && echo freed"), Map.of("sudo", true))
                .path("output").asText()).isEqualTo("freed\n");
    }

    @Test
    void theAgentServesAPersistentSandboxOnAGlibcImage() throws IOException {
        api.createOk("img-debian", Map.of("image", images.debian()));
        assertThat(api.sh("img-debian", ". /etc/os-release; echo $VERSION_CODENAME; echo $PATH")).isEqualTo(
                "trixie\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
        assertThat(api.writeText("img-debian", "/workspace/hello.sh", "echo written through the agent\n").status())
                .isIn(200, 201);
        assertThat(api.sh("img-debian", "bash /workspace/hello.sh")).isEqualTo("written through the agent\n");
    }

    @Test
    void aTaskRunsOnTheImageItNames() throws IOException {
        ServerFixture.Response dispatched = fx.postJson("/tasks", Map.of("code",
                ". /etc/os-release; echo $VERSION_CODENAME; bash --version | head -1", "template", "bash",
                "image", images.debian()));
        assertThat(dispatched.status()).as("%s", dispatched).isEqualTo(202);
        String id = dispatched.data().path("task_id").asText();
        JsonNode done = fx.postJson("/tasks/" + id + "/wait", Map.of("timeout", 120)).data();
        assertThat(done.path("status").asText()).as("%s", done).isEqualTo("completed");
        assertThat(done.path("output").asText()).as("%s", done).startsWith("trixie\nGNU bash");

        ServerFixture.Response bad = fx.postJson("/tasks", Map.of("code", "echo", "image", "x", "pull", "sometimes"));
        assertThat(ServerTestBase.assertErrorEnvelope(bad, 400).path("error").asText()).contains("pull must be");
    }

    @Test
    void theImageOfAPersistentSandboxCannotBeRemovedWhileTheSandboxRuns() {
        String zstd = images.ref(images.plain, "test/zstd:1");
        api.createOk("img-lease", Map.of("image", zstd));
        ServerFixture.Response refused = fx.send(fx.request("/images/" + zstd).DELETE().build());
        JsonNode conflict = ServerTestBase.assertErrorEnvelope(refused, 409);
        assertThat(conflict.path("error").asText()).contains("sandbox img-lease");
        assertThat(api.delete("img-lease").status()).isIn(200, 204);
        ServerFixture.Response removed = fx.send(fx.request("/images/" + zstd).DELETE().build());
        assertThat(removed.status()).as("%s", removed).isEqualTo(200);
    }

    @Test
    void thePullPolicyOfARequestDecidesWhetherTheRegistryIsAsked() {
        String v2s2 = images.ref(images.plain, "test/v2s2:1");
        ServerFixture.Response never = fx.run(List.of("true"), Map.of("image", v2s2, "pull", "never"));
        assertThat(ServerTestBase.assertErrorEnvelope(never, 404).path("error").asText())
                .contains(v2s2, "'never'");
        ServerFixture.Response create = api.create("img-never", Map.of("image", v2s2, "pull", "NEVER"));
        ServerTestBase.assertErrorEnvelope(create, 404);
        api.forget("img-never");
        assertThat(fx.daemon.images().find(v2s2)).isEmpty();

        JsonNode always = runOk(List.of("cat", "/etc/os-release"), Map.of("image", v2s2, "pull", "always"));
        assertThat(always.path("output").asText()).contains("ID=akbusybox\n");
        assertThat(fx.daemon.images().find(v2s2)).isPresent();
        JsonNode stored = runOk(List.of("true"), Map.of("image", v2s2, "pull", "never"));
        assertThat(stored.path("exit_code").asInt()).isZero();
    }

    @Test
    void anImageNoRegistryHasIsA404NamingItAndTheFixes() {
        String missing = images.ref(images.plain, "test/missing:1");
        ServerFixture.Response r = fx.run(List.of("true"), Map.of("image", missing));
        JsonNode error = ServerTestBase.assertErrorEnvelope(r, 404);
        assertThat(error.path("error").asText()).contains(missing, "agentkernel image import", "--image host");
    }
}
