package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The volumes' sub-clients (sync and async) and sandboxes with volumes, against a fake server. */
class VolumesTest {

    private static final String VOLUME = """
            {"name":"data","size_mb":64,"limited":true,"used_mb":3,"available_mb":58,"in_use":1,
             "mounts":[{"sandbox":"box","path":"/data","read_only":true}],"created_at":"2026-01-30T12:00:00Z"}""";
    private static final VolumeInfo EXPECTED = new VolumeInfo("data", 64, true, OptionalLong.of(3), OptionalLong.of(58),
            1, List.of(new VolumeInfo.Mount("box", "/data", true)), Optional.of(Instant.parse("2026-01-30T12:00:00Z")));

    private FakeServer server;
    private AgentKernel client;
    private AsyncAgentKernel async;

    @BeforeEach
    void start() throws Exception {
        server = new FakeServer();
        client = server.client(null);
        async = server.asyncClient();
    }

    @AfterEach
    void stop() {
        client.close();
        async.close();
        server.close();
    }

    @Test
    void createListGetAndRemove() throws Exception {
        server.on("POST", "/volumes", c -> c.json(201, "{\"success\":true,\"data\":" + VOLUME + "}"));
        server.on("GET", "/volumes", c -> c.data("{\"volumes\":[" + VOLUME + "]}"));
        server.on("GET", "/volumes/data", c -> c.data(VOLUME));
        server.on("DELETE", "/volumes/data", c -> c.data("{\"name\":\"data\"}"));

        assertThat(client.volumes().create("data", 64)).isEqualTo(EXPECTED);
        assertThat(server.last().text()).isEqualTo("{\"name\":\"data\",\"size_mb\":64}");
        client.volumes().create("data");
        assertThat(server.last().text()).isEqualTo("{\"name\":\"data\"}");
        assertThat(client.volumes().list()).containsExactly(EXPECTED);
        assertThat(client.volumes().get("data")).isEqualTo(EXPECTED);
        client.volumes().remove("data");
        assertThat(server.last().rawQuery()).isNull();
        client.volumes().remove("data", true);
        assertThat(server.last().rawQuery()).isEqualTo("force=true");

        assertThat(async.volumes().get("data").join()).isEqualTo(EXPECTED);
        assertThat(async.volumes().list().join()).containsExactly(EXPECTED);
        assertThat(async.volumes().create("data", 64).join()).isEqualTo(EXPECTED);
        async.volumes().remove("data", false).join();
        assertThat(server.last().method()).isEqualTo("DELETE");
    }

    @Test
    void aSandboxIsCreatedWithItsVolumesAndShowsThem() throws Exception {
        server.on("POST", "/sandboxes", c -> c.json(201, "{\"success\":true,\"data\":{\"name\":\"box\",\"status\":"
                + "\"running\",\"backend\":\"bwrap\",\"volumes\":[\"data:/data:ro\"]}}"));
        SandboxInfo info = client.createSandbox("box", SandboxOptions.defaults(), List.of("data:/data:ro"));
        assertThat(server.last().text()).isEqualTo("{\"name\":\"box\",\"volumes\":[\"data:/data:ro\"]}");
        assertThat(info.volumes()).containsExactly("data:/data:ro");
        assertThat(async.createSandbox("box", SandboxOptions.defaults(), List.of("data:/d")).join().volumes())
                .containsExactly("data:/data:ro");
        assertThatThrownBy(() -> client.createSandbox("box", SandboxOptions.defaults(), List.of("no-path")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("NAME:/path");
    }

    @Test
    void errorsAreTheClientsExceptions() {
        server.on("GET", "/volumes/nope", c -> c.json(404, "{\"success\":false,\"error\":\"Volume 'nope' not found\","
                + "\"code\":\"not_found\"}"));
        server.on("DELETE", "/volumes/busy", c -> c.json(409, "{\"success\":false,\"error\":\"volume 'busy' is mounted\","
                + "\"code\":\"conflict\"}"));
        assertThatThrownBy(() -> client.volumes().get("nope")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.volumes().remove("busy")).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> async.volumes().get("nope").join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(NotFoundException.class);
    }
}
