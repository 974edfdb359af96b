package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Named volumes with real sandboxes: what one sandbox writes into a volume another reads
 * (read-only: it cannot write), root of one sandbox owns what root of another wrote, a volume
 * outlives its sandboxes and a daemon restart, removal is refused while a sandbox mounts it
 * (running: even forced), a size-limited volume refuses writes past its size, the host never
 * follows a link the sandbox left in it, and bad input gets 400/404/409.
 */
class VolumesIT extends SandboxTestBase {

    @AfterEach
    void removeVolumesOfTheTest() {
        if (fx == null) {
            return;
        }
        assertThat(api.removeAll()).as("removing the sandboxes the test created").isEmpty(); // they hold volumes
        for (JsonNode v : fx.get("/volumes").data().path("volumes")) {
            ServerFixture.Response r = deleteVolume(v.path("name").asText(), true);
            assertThat(r.status()).as("removing volume %s: %s", v.path("name").asText(), r).isEqualTo(200);
        }
    }

    @Test
    void aVolumeIsSharedBetweenSandboxesAndOutlivesThemAndARestart() throws IOException {
        JsonNode created = createVolume(Map.of("name", "shared", "size_mb", 64), 201);
        assertThat(created.path("name").asText()).isEqualTo("shared");
        assertThat(created.path("size_mb").asLong()).isEqualTo(64);
        assertThat(created.path("in_use").asInt()).isZero();
        assertThat(created.path("mounts")).isEmpty();

        JsonNode writer = api.createOk("vol-writer", Map.of("volumes", List.of("shared:/data")));
        assertThat(writer.path("volumes").toString()).isEqualTo("[\"shared:/data\"]");
        api.createOk("vol-reader", Map.of("volumes", List.of("shared:/data:ro")));
        api.createOk("vol-other", Map.of("volumes", List.of("shared:/mnt/shared/")));

        // the writer's root and its user write; the reader reads both and cannot write
        assertThat(api.execOk("vol-writer", List.of("sh", "-c", "echo from-root > /data/root.txt && id -u"),
                Map.of("sudo", true)).path("output").asText()).isEqualTo("0\n");
        api.sh("vol-writer", "echo from-user > /data/user.txt; mkdir -p /data/dir && echo deep > /data/dir/f");
        assertThat(api.sh("vol-reader", "cat /data/root.txt /data/user.txt /data/dir/f"))
                .isEqualTo("from-root\nfrom-user\ndeep\n");
        JsonNode refused = api.execOk("vol-reader", List.of("sh", "-c",
                "echo x > /data/new.txt 2>&1; echo rc=$?; echo y >> /data/root.txt; echo rc=$?"), Map.of("sudo", true));
        assertThat(refused.path("output").asText()).as("writes to a read-only volume, as root").contains("Read-only")
                .doesNotContain("rc=0");
        // root of ANOTHER sandbox mounting it read-write owns what the first one's root wrote
        assertThat(api.execOk("vol-other", List.of("sh", "-c",
                "stat -c '%u %g' /mnt/shared/root.txt; echo more >> /mnt/shared/root.txt && cat /mnt/shared/root.txt"),
                Map.of("sudo", true)).path("output").asText()).isEqualTo("0 0\nfrom-root\nmore\n");
        assertThat(api.sh("vol-other", "stat -c %u /mnt/shared/user.txt")).isEqualTo("1000\n");

        JsonNode shown = fx.get("/volumes/shared").data();
        assertThat(shown.path("in_use").asInt()).as("%s", shown).isEqualTo(3);
        assertThat(shown.path("mounts").toString()).contains("\"sandbox\":\"vol-reader\",\"path\":\"/data\",\"read_only\":true")
                .contains("\"sandbox\":\"vol-writer\",\"path\":\"/data\",\"read_only\":false")
                .contains("\"sandbox\":\"vol-other\",\"path\":\"/mnt/shared\"");
        assertThat(api.get("vol-reader").data().path("volumes").toString()).isEqualTo("[\"shared:/data:ro\"]");

        // refused while mounted; forced removal never takes it from a running sandbox
        assertThat(ServerTestBase.assertErrorEnvelope(deleteVolume("shared", false), 409).toString()).contains("vol-");
        assertThat(ServerTestBase.assertErrorEnvelope(deleteVolume("shared", true), 409).toString()).contains("running");
        // a sandbox that stops and starts finds the volume again
        assertThat(api.stop("vol-reader").status()).isEqualTo(200);
        assertThat(fx.get("/volumes/shared").data().path("in_use").asInt()).isEqualTo(2);
        assertThat(api.start("vol-reader").status()).isEqualTo(200);
        assertThat(api.sh("vol-reader", "cat /data/user.txt")).isEqualTo("from-user\n");

        for (String name : List.of("vol-writer", "vol-reader", "vol-other")) {
            assertThat(api.delete(name).status()).isEqualTo(200);
        }
        JsonNode unused = fx.get("/volumes/shared").data();
        assertThat(unused.path("in_use").asInt()).isZero();
        assertThat(unused.path("mounts")).isEmpty();

        restartDaemon();

        JsonNode after = fx.get("/volumes/shared").data();
        assertThat(after.path("size_mb").asLong()).isEqualTo(64);
        assertThat(after.path("created_at").asText()).isEqualTo(created.path("created_at").asText());
        assertThat(names(fx.get("/volumes").data().path("volumes"))).containsExactly("shared");
        api.createOk("vol-later", Map.of("volumes", List.of("shared:/again:ro")));
        assertThat(api.sh("vol-later", "cat /again/root.txt /again/dir/f")).isEqualTo("from-root\nmore\ndeep\n");
        assertThat(api.delete("vol-later").status()).isEqualTo(200);

        assertThat(deleteVolume("shared", false).status()).isEqualTo(200);
        ServerTestBase.assertErrorEnvelope(fx.get("/volumes/shared"), 404);
        assertThat(fx.stateDir().resolve("volumes").resolve("shared")).doesNotExist();
        String audit = fx.get("/audit").data().toString();
        assertThat(audit).contains("volume_created").contains("volume_mounted").contains("volume_removed");
    }

    @Test
    void forcedRemovalDetachesTheVolumeFromStoppedSandboxes() {
        createVolume(Map.of("name", "detach"), 201);
        api.createOk("vol-stopped", Map.of("volumes", List.of("detach:/d")));
        api.sh("vol-stopped", "echo kept > /workspace/w");
        assertThat(api.stop("vol-stopped").status()).isEqualTo(200);
        assertThat(fx.get("/volumes/detach").data().path("in_use").asInt()).isZero();

        JsonNode error = ServerTestBase.assertErrorEnvelope(deleteVolume("detach", false), 409);
        assertThat(error.toString()).contains("vol-stopped").contains("force");
        assertThat(deleteVolume("detach", true).status()).isEqualTo(200);

        assertThat(api.start("vol-stopped").status()).isEqualTo(200);
        JsonNode info = api.get("vol-stopped").data();
        assertThat(info.path("volumes").isMissingNode() || info.path("volumes").isEmpty()).as("%s", info).isTrue();
        assertThat(api.sh("vol-stopped", "cat /workspace/w; test -e /d && echo still || echo gone"))
                .isEqualTo("kept\ngone\n");
    }

    @Test
    void aSizeLimitedVolumeRefusesWritesPastItsSize() {
        JsonNode created = createVolume(Map.of("name", "small", "size_mb", 32), 201);
        assertThat(created.path("limited").asBoolean()).as("volumes are ext4 images where the daemon can mount"
                + " them (root with mkfs.ext4): %s", created).isTrue();
        api.createOk("vol-full", Map.of("volumes", List.of("small:/small")));
        JsonNode r = api.execOk("vol-full", List.of("sh", "-c",
                "dd if=/dev/zero of=/small/big bs=1M count=64 2>&1; echo rc=$?"));
        assertThat(r.path("output").asText()).contains("No space left on device").doesNotContain("rc=0");
        JsonNode shown = fx.get("/volumes/small").data();
        assertThat(shown.path("used_mb").asLong()).as("%s", shown).isBetween(20L, 32L);
        assertThat(shown.path("available_mb").asLong()).isLessThan(4L);
        // what fills the volume is not the sandbox's own disk
        assertThat(api.sh("vol-full", "echo fine > /workspace/f && cat /workspace/f")).isEqualTo("fine\n");
    }

    @Test
    void readWriteVolumesCountInTheSandboxsDiskQuota() {
        createVolume(Map.of("name", "quota-rw", "size_mb", 48), 201);
        createVolume(Map.of("name", "quota-ro", "size_mb", 512), 201);
        // an explicit disk_mb covers the read-write volume; the own disk gets the rest (read-only ones do not count)
        JsonNode created = api.createOk("vol-quota", Map.of("disk_mb", 112, "volumes",
                List.of("quota-rw:/rw", "quota-ro:/ro:ro")));
        assertThat(created.path("disk_mb").asLong()).as("%s", created).isEqualTo(112);
        JsonNode own = api.execOk("vol-quota", List.of("sh", "-c",
                "dd if=/dev/zero of=/workspace/fill bs=1M count=100 2>&1; echo rc=$?"));
        assertThat(own.path("output").asText()).as("the own disk is 112 - 48 MiB").contains("No space left on device");
        JsonNode wrote = api.execOk("vol-quota", List.of("sh", "-c", "dd if=/dev/zero of=/rw/fill bs=1M count=30 2>&1"));
        assertThat(wrote.path("exit_code").asInt()).as("%s", wrote).isZero();
        JsonNode info = api.get("vol-quota").data();
        assertThat(info.path("disk_used_mb").asLong()).as("own disk full (~60) plus 30 on the volume: %s", info)
                .isBetween(80L, 112L);

        // without disk_mb: the profile's default for its own disk, plus the volume
        JsonNode defaulted = api.createOk("vol-quota2", Map.of("volumes", List.of("quota-rw:/rw")));
        assertThat(defaulted.path("disk_mb").asLong()).as("%s", defaulted).isEqualTo(1024 + 48);

        // too small a disk_mb for its volumes is a 400 that says what to ask for
        ServerFixture.Response small = api.create("vol-quota3", Map.of("disk_mb", 60, "volumes", List.of("quota-rw:/rw")));
        assertThat(ServerTestBase.assertErrorEnvelope(small, 400).toString()).contains("disk_mb 60")
                .contains("at least " + (48 + 16)).contains("read-only");
        assertThat(api.get("vol-quota3").status()).isEqualTo(404);
    }

    @Test
    void theHostNeverFollowsALinkInsideAVolume() throws IOException {
        Path outside = Files.createTempDirectory(fx.dir, "outside-");
        Path secret = Files.writeString(outside.resolve("secret"), "host file\n");
        createVolume(Map.of("name", "links"), 201);
        api.createOk("vol-links", Map.of("volumes", List.of("links:/l")));
        api.execOk("vol-links", List.of("sh", "-c", "ln -s " + secret + " /l/file-link; ln -s " + outside
                + " /l/dir-link; ln -s / /l/root"), Map.of("sudo", true));
        assertThat(fx.get("/volumes/links").status()).isEqualTo(200); // measures the volume
        assertThat(api.delete("vol-links").status()).isEqualTo(200);
        assertThat(deleteVolume("links", false).status()).isEqualTo(200);
        assertThat(Files.readString(secret, StandardCharsets.UTF_8)).isEqualTo("host file\n");
        assertThat(outside).isDirectory();
    }

    @Test
    void anOciSandboxSharesAVolumeWithABubblewrapOne() throws Exception {
        dev.agentkernel.image.TestImages images = dev.agentkernel.image.TestImages.get();
        String base = images.ref(images.plain, "test/base:1");
        createVolume(Map.of("name", "oci"), 201);
        api.createOk("vol-crun", Map.of("image", base, "backend", "crun", "volumes", List.of("oci:/v")));
        api.createOk("vol-crun-ro", Map.of("image", base, "backend", "crun", "volumes", List.of("oci:/v:ro")));
        api.createOk("vol-bwrap", Map.of("volumes", List.of("oci:/v")));
        assertThat(api.execOk("vol-crun", List.of("sh", "-c", "echo from-crun > /v/c; stat -c '%u' /v/c"),
                Map.of("sudo", true)).path("output").asText()).isEqualTo("0\n");
        assertThat(api.execOk("vol-bwrap", List.of("sh", "-c", "stat -c '%u' /v/c; echo more >> /v/c; cat /v/c"),
                Map.of("sudo", true)).path("output").asText()).isEqualTo("0\nfrom-crun\nmore\n");
        JsonNode refused = api.execOk("vol-crun-ro", List.of("sh", "-c", "cat /v/c; echo x > /v/c 2>&1; echo rc=$?"),
                Map.of("sudo", true));
        assertThat(refused.path("output").asText()).startsWith("from-crun\nmore\n").contains("Read-only")
                .doesNotContain("rc=0");
    }

    @Test
    void runcGvisorAndPodmanSandboxesMountVolumesToo() throws Exception {
        dev.agentkernel.image.TestImages images = dev.agentkernel.image.TestImages.get();
        String base = images.ref(images.plain, "test/base:1");
        createVolume(Map.of("name", "every"), 201);
        api.createOk("vol-reader", Map.of("volumes", List.of("every:/v:ro")));
        for (String backend : List.of("runc", "gvisor", "podman")) {
            String box = "vol-" + backend;
            // no network: the runsc of these hosts cannot join a network namespace (the gvisor backend answers 503)
            api.createOk(box, Map.of("image", base, "backend", backend, "network", false, "volumes", List.of("every:/v")));
            JsonNode wrote = api.execOk(box, List.of("sh", "-c", "echo from-" + backend + " > /v/" + backend
                    + " && stat -c '%u' /v/" + backend), Map.of("sudo", true));
            assertThat(wrote.path("output").asText()).as("%s: %s", backend, wrote).isEqualTo("0\n");
            assertThat(api.sh("vol-reader", "cat /v/" + backend)).as(backend).isEqualTo("from-" + backend + "\n");
            assertThat(api.sh("vol-reader", "echo alive")).as("before %s is removed", backend).isEqualTo("alive\n");
            assertThat(api.delete(box).status()).isEqualTo(200);
            assertThat(api.sh("vol-reader", "echo alive")).as("after %s is removed", backend).isEqualTo("alive\n");
        }
    }

    @Test
    void badInputIsRefused() {
        ServerTestBase.assertErrorEnvelope(fx.post("/volumes", "{}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/volumes", "{\"name\": \"bad name\"}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/volumes", "{\"name\": \"v\", \"size_mb\": 0}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/volumes", "{\"name\": \"v\", \"size_mb\": 4}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/volumes", "{\"name\": \"v\", \"size_mb\": \"big\"}"), 400);
        createVolume(Map.of("name", "taken", "size_mb", 16), 201);
        ServerTestBase.assertErrorEnvelope(fx.post("/volumes", "{\"name\": \"taken\"}"), 409);
        ServerTestBase.assertErrorEnvelope(fx.get("/volumes/nope"), 404);
        ServerTestBase.assertErrorEnvelope(deleteVolume("nope", false), 404);
        ServerTestBase.assertErrorEnvelope(fx.send(fx.request("/volumes/taken?force=maybe").DELETE().build()), 400);

        assertThat(ServerTestBase.assertErrorEnvelope(api.create("vol-bad", Map.of("volumes", List.of("nope:/d"))), 404)
                .toString()).contains("nope");
        List<List<String>> bad = new ArrayList<>();
        bad.add(List.of("taken:/d", "taken:/d/"));
        for (String path : List.of("/", "/proc", "/sys/x", "/dev", "/run", "/run/x", "relative", "/a/../b",
                "/.ak", "/workspace", "/tmp")) {
            bad.add(List.of("taken:" + path));
        }
        bad.add(List.of("taken"));
        bad.add(List.of("taken:/d:rx"));
        bad.add(List.of(":/d"));
        for (List<String> volumes : bad) {
            ServerFixture.Response r = api.create("vol-bad", Map.of("volumes", volumes));
            assertThat(r.status()).as("volumes %s: %s", volumes, r).isEqualTo(400);
        }
        assertThat(api.get("vol-bad").status()).isEqualTo(404);
        assertThat(fx.get("/volumes/taken").data().path("mounts")).isEmpty();
    }

    private static JsonNode createVolume(Map<String, ?> body, int status) {
        ServerFixture.Response r = fx.post("/volumes", SandboxApi.json(body));
        assertThat(r.status()).as("POST /volumes %s: %s", body, r).isEqualTo(status);
        return r.data();
    }

    private static ServerFixture.Response deleteVolume(String name, boolean force) {
        return fx.send(fx.request("/volumes/" + name + (force ? "?force=true" : "")).DELETE().build());
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.path("name").asText()));
        return names;
    }
}
