package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code volume} and {@code create --volume} against a fake daemon: the requests they send,
 * what they print, exit codes, and usage errors before any request.
 */
class VolumeCommandTest {

    private static final String VOLUME = """
            {"name":"data","size_mb":512,"limited":true,"used_mb":3,"available_mb":490,"in_use":1,
             "mounts":[{"sandbox":"box","path":"/data","read_only":true}],"created_at":"2026-01-30T12:00:00Z"}""";

    private FakeDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = new FakeDaemon();
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private ClientCommandsTest.Result run(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.add(1, "--url");
        argv.add(2, daemon.url());
        return ClientCommandsTest.run(argv.toArray(String[]::new));
    }

    @Test
    void createListInspectRemove() {
        daemon.on("POST", "/volumes", r -> new FakeDaemon.Response(201, "{\"success\":true,\"data\":" + VOLUME + "}"));
        daemon.data("GET", "/volumes", "{\"volumes\":[" + VOLUME + "]}");
        daemon.data("GET", "/volumes/data", VOLUME);
        daemon.data("DELETE", "/volumes/data", "{\"name\":\"data\"}");

        ClientCommandsTest.Result created = run("volume", "create", "--size", "512", "data");
        assertThat(created.code()).as(created.toString()).isZero();
        assertThat(created.out()).isEqualTo("agentkernel: created volume data (512 MB)\n");
        assertThat(daemon.calls().getLast()).isEqualTo("POST /volumes {\"name\":\"data\",\"size_mb\":512}");

        ClientCommandsTest.Result listed = run("volume", "ls");
        assertThat(listed.out()).startsWith("NAME").contains("data").contains("512 MB").contains("box");
        assertThat(run("volume", "ls", "-q").out()).isEqualTo("data\n");

        ClientCommandsTest.Result shown = run("volume", "inspect", "data");
        assertThat(shown.out()).contains("size:      512 MB").contains("used:      3 MB, 490 MB free")
                .contains("  box at /data (read-only)");

        ClientCommandsTest.Result removed = run("volume", "rm", "--force", "data");
        assertThat(removed.code()).as(removed.toString()).isZero();
        assertThat(removed.out()).isEqualTo("agentkernel: removed volume data\n");
        assertThat(daemon.calls().getLast()).isEqualTo("DELETE /volumes/data");
    }

    @Test
    void theDaemonsRefusalsAreExitCodes() {
        daemon.on("GET", "/volumes/nope", r -> FakeDaemon.error(404, "Volume 'nope' not found", "not_found"));
        daemon.on("DELETE", "/volumes/busy", r -> FakeDaemon.error(409, "volume 'busy' is mounted by sandbox(es) a",
                "conflict"));
        ClientCommandsTest.Result missing = run("volume", "inspect", "nope");
        assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.err()).contains("Volume 'nope' not found");
        assertThat(run("volume", "rm", "busy").code()).isEqualTo(ExitCodes.CONFLICT);
    }

    @Test
    void usageErrorsSendNothing() {
        for (String[] args : List.of(new String[] {"volume"}, new String[] {"volume", "frob"},
                new String[] {"volume", "create"}, new String[] {"volume", "create", "a", "b"},
                new String[] {"volume", "create", "--size", "big", "a"}, new String[] {"volume", "ls", "--force"},
                new String[] {"volume", "inspect"}, new String[] {"volume", "rm"})) {
            ClientCommandsTest.Result r = run(args);
            assertThat(r.code()).as("%s: %s", List.of(args), r).isNotZero();
            assertThat(r.err()).as("%s", List.of(args)).startsWith("agentkernel: error: ");
        }
        assertThat(daemon.calls()).isEmpty();
    }

    @Test
    void createMountsVolumes() {
        daemon.on("POST", "/sandboxes", r -> new FakeDaemon.Response(201, "{\"success\":true,\"data\":{\"name\":\"box\","
                + "\"status\":\"running\",\"backend\":\"bwrap\",\"volumes\":[\"data:/data\",\"m:/m:ro\"]}}"));
        ClientCommandsTest.Result r = run("create", "box", "--volume", "data:/data", "--volume", "m:/m:ro");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(daemon.calls().getLast()).isEqualTo("POST /sandboxes {\"name\":\"box\",\"volumes\":[\"data:/data\",\"m:/m:ro\"]}");
        assertThat(r.out()).contains("volumes data:/data m:/m:ro");
    }
}
