package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Snapshots and forks through the SDK against a fake server: the requests' shapes, the answers' mapping, errors. */
class SnapshotsTest extends FakeServerTestBase {

    private static final String SNAP = """
            {"name":"before","sandbox":"box","image_tag":"agentkernel.local/snapshots:before@sha256:ab12",
             "backend":"runc","base_image":"python:3.12-alpine","vcpus":2,"memory_mb":1024,"size_bytes":4096,
             "created_at":"2026-01-30T12:00:00Z"}""";
    private static final SnapshotInfo BEFORE = new SnapshotInfo("before", "box",
            "agentkernel.local/snapshots:before@sha256:ab12", "runc", Optional.of("python:3.12-alpine"), 2, 1024, 4096,
            Optional.of(Instant.parse("2026-01-30T12:00:00Z")));
    private static final String BOX = """
            {"name":"%s","status":"running","backend":"runc","image":"agentkernel.local/snapshots:before@sha256:ab12",
             "vcpus":2,"memory_mb":1024,"network":false}""";

    @Test
    void takeSendsTheSandboxAndTheNameOnlyWhenGiven() throws Exception {
        server.on("POST", "/snapshots", c -> c.json(201, "{\"success\":true,\"data\":" + SNAP + "}"));
        assertThat(client.snapshots().take("box", "before")).isEqualTo(BEFORE);
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"sandbox\":\"box\",\"name\":\"before\"}"));
        client.snapshots().take("box");
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"sandbox\":\"box\"}"));
    }

    @Test
    void listGetAndDeleteUseTheSnapshotsPaths() throws Exception {
        server.on("GET", "/snapshots", c -> c.data("[" + SNAP + "]"));
        server.on("GET", "/snapshots/before", c -> c.data(SNAP));
        server.on("DELETE", "/snapshots/before", c -> c.data("\"Deleted snapshot 'before'\""));
        assertThat(client.snapshots().list()).containsExactly(BEFORE);
        assertThat(client.snapshots().get("before")).isEqualTo(BEFORE);
        client.snapshots().delete("before");
        assertThat(server.last().method()).isEqualTo("DELETE");
    }

    @Test
    void aSnapshotWithoutBaseImageOrTimeHasThemEmpty() {
        server.on("GET", "/snapshots/bare", c -> c.data("{\"name\":\"bare\",\"sandbox\":\"box\",\"image_tag\":\"x@sha256:1\"}"));
        SnapshotInfo bare = client.getSnapshot("bare");
        assertThat(bare.baseImage()).isEmpty();
        assertThat(bare.createdAt()).isEmpty();
        assertThat(bare.backend()).isEqualTo("unknown");
    }

    @Test
    void restoreSendsAnEmptyBodyOrTheSandboxToRestoreInto() throws Exception {
        server.on("POST", "/snapshots/before/restore", c -> c.data(BOX.formatted("box")));
        SandboxInfo restored = client.snapshots().restore("before");
        assertThat(restored.name()).isEqualTo("box");
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{}"));
        client.snapshots().restore("before", "other");
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"sandbox\":\"other\"}"));
    }

    @Test
    void forkSendsACountOrNamesAndMapsTheSnapshotAndTheSandboxes() throws Exception {
        server.on("POST", "/sandboxes/box/fork", c -> c.json(201, "{\"success\":true,\"data\":{\"snapshot\":" + SNAP
                + ",\"sandboxes\":[" + BOX.formatted("box-1") + "," + BOX.formatted("box-2") + "]}}"));
        ForkResult fork = client.sandboxes().fork("box", 2);
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"count\":2}"));
        assertThat(fork.snapshot()).isEqualTo(BEFORE);
        assertThat(fork.sandboxes()).extracting(SandboxInfo::name).containsExactly("box-1", "box-2");
        assertThat(fork.sandboxes().getFirst().running()).isTrue();
        client.sandboxes().fork("box", List.of("a", "b"));
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"names\":[\"a\",\"b\"]}"));
    }

    @Test
    void badForksAreRefusedBeforeAnyRequest() {
        assertThatThrownBy(() -> client.forkSandbox("box", 0)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("count must be at least 1");
        assertThatThrownBy(() -> client.forkSandbox("box", List.of())).isInstanceOf(ValidationException.class)
                .hasMessageContaining("names");
        assertThat(server.requests).isEmpty();
    }

    @Test
    void createFromASnapshotSendsItAndRefusesAnImageWithIt() throws Exception {
        server.on("POST", "/sandboxes", c -> c.data(BOX.formatted("child")));
        client.createSandbox("child", SandboxOptions.defaults().withSnapshot("before").withMemoryMb(2048));
        assertThat(json(server.last())).isEqualTo(JSON.readTree(
                "{\"name\":\"child\",\"snapshot\":\"before\",\"memory_mb\":2048}"));
        int sent = server.requests.size();
        assertThatThrownBy(() -> client.createSandbox("child", SandboxOptions.defaults().withSnapshot("before")
                .withImage("python:3.12-alpine"))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("image or snapshot, not both");
        assertThat(server.requests).hasSize(sent);
    }

    @Test
    void theServersRefusalsBecomeTheirExceptions() {
        server.on("POST", "/snapshots", c -> c.json(409, """
                {"success":false,"error":"sandbox 'host' runs on the host's /usr: it has no image to snapshot",
                 "code":"conflict"}"""));
        server.on("GET", "/snapshots/none", c -> c.json(404, """
                {"success":false,"error":"no snapshot 'none'","code":"not_found"}"""));
        server.on("DELETE", "/snapshots/used", c -> c.json(409, """
                {"success":false,"error":"snapshot 'used' is in use by sandbox 'child'","code":"conflict"}"""));
        assertThatThrownBy(() -> client.snapshots().take("host")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("host's /usr");
        assertThatThrownBy(() -> client.snapshots().get("none")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.snapshots().delete("used")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void theAsyncClientDoesTheSame() throws Exception {
        server.on("POST", "/snapshots", c -> c.json(201, "{\"success\":true,\"data\":" + SNAP + "}"));
        server.on("GET", "/snapshots", c -> c.data("[" + SNAP + "]"));
        server.on("GET", "/snapshots/before", c -> c.data(SNAP));
        server.on("DELETE", "/snapshots/before", c -> c.data("\"Deleted snapshot 'before'\""));
        server.on("POST", "/snapshots/before/restore", c -> c.data(BOX.formatted("other")));
        server.on("POST", "/sandboxes/box/fork", c -> c.json(201, "{\"success\":true,\"data\":{\"snapshot\":" + SNAP
                + ",\"sandboxes\":[" + BOX.formatted("x") + "]}}"));
        try (AsyncAgentKernel async = server.asyncClient()) {
            assertThat(async.takeSnapshot("box", Optional.of("before")).get(10, TimeUnit.SECONDS)).isEqualTo(BEFORE);
            assertThat(async.listSnapshots().get(10, TimeUnit.SECONDS)).containsExactly(BEFORE);
            assertThat(async.getSnapshot("before").get(10, TimeUnit.SECONDS)).isEqualTo(BEFORE);
            assertThat(async.restoreSnapshot("before", Optional.of("other")).get(10, TimeUnit.SECONDS).name())
                    .isEqualTo("other");
            assertThat(async.forkSandbox("box", List.of("x")).get(10, TimeUnit.SECONDS).sandboxes())
                    .extracting(SandboxInfo::name).containsExactly("x");
            assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"names\":[\"x\"]}"));
            assertThat(async.forkSandbox("box", 1).get(10, TimeUnit.SECONDS).snapshot()).isEqualTo(BEFORE);
            async.deleteSnapshot("before").get(10, TimeUnit.SECONDS);
            assertThat(server.last().method()).isEqualTo("DELETE");
        }
    }
}
