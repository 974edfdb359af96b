package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /sandboxes} with {@code dir}: a host project directory mounted at {@code /workspace},
 * only under the daemon's allowed directories, never a system directory or a link out.
 */
class ProjectDirIT {

    @RegisterExtension
    static final DaemonHome HOME = new DaemonHome("ak-projectdir-it-");
    static Path projects;
    static ServerFixture fx;
    static SandboxApi api;

    @BeforeAll
    static void start() throws IOException {
        projects = HOME.createDirectories("projects");
        fx = HOME.start(4, List.of(), 0, c -> c.withAllowedDirs(List.of(projects)));
        api = new SandboxApi(fx);
    }

    @AfterAll
    static void removeSandboxes() {
        if (fx != null) {
            api.removeAll();
        }
    }

    @Test
    void anAllowedProjectDirectoryIsTheSandboxsWorkspace() throws Exception {
        Path project = Files.createDirectories(projects.resolve("web"));
        Files.writeString(project.resolve("package.json"), "{\"name\": \"web\"}\n");
        var created = api.createOk("proj-web", Map.of("dir", project.toString()));
        assertThat(created.path("dir").asText()).isEqualTo(project.toRealPath().toString());
        assertThat(api.sh("proj-web", "cat /workspace/package.json")).isEqualTo("{\"name\": \"web\"}\n");
        api.sh("proj-web", "echo built > /workspace/out.txt");
        assertThat(Files.readString(project.resolve("out.txt"))).isEqualTo("built\n");
        // Kept across stop and start.
        api.stop("proj-web");
        api.start("proj-web");
        assertThat(api.sh("proj-web", "cat /workspace/out.txt")).isEqualTo("built\n");
        assertThat(api.logs("proj-web").data().toString()).contains(project.toRealPath().toString());
        // Removing the sandbox never deletes the user's project.
        api.delete("proj-web");
        assertThat(project.resolve("package.json")).exists();
    }

    @Test
    void directoriesOutsideTheAllowedOnesAreRefusedWith403() throws Exception {
        Path outside = HOME.createDirectories("outside");
        for (String refused : List.of(outside.toString(), "/etc", "/", "/proc/1/root", fx.stateDir().toString())) {
            ServerFixture.Response r = api.create("proj-refused", Map.of("dir", refused));
            ServerTestBase.assertErrorEnvelope(r, 403);
            api.forget("proj-refused");
        }
        Files.createSymbolicLink(projects.resolve("link-out"), outside);
        ServerTestBase.assertErrorEnvelope(api.create("proj-link", Map.of("dir", projects.resolve("link-out").toString())), 403);
        api.forget("proj-link");
        assertThat(fx.get("/audit").data().toString()).contains("policy_violation");
    }

    @Test
    void badDirsAre400() {
        for (String bad : List.of("relative/path", HOME.dir().resolve("missing").toString())) {
            ServerTestBase.assertErrorEnvelope(api.create("proj-bad", Map.of("dir", bad)), 400);
            api.forget("proj-bad");
        }
        ServerTestBase.assertErrorEnvelope(api.createRaw("{\"name\": \"proj-bad\", \"dir\": 42}"), 400);
        api.forget("proj-bad");
    }
}
