package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.GitHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code source_url} and {@code source_ref} of {@code POST /sandboxes} (the published clients'
 * fields), against a Git server of this machine in a network namespace ({@link GitHost}): the
 * repository is cloned inside the sandbox into its {@code /workspace}, at the default branch, a
 * branch or a tag, owned by the sandbox's user and usable with git afterwards; a clone that
 * cannot be made (no such repository, a policy that does not allow the host, an image without
 * git) is a 400 that says why, and leaves no sandbox; bad fields are 400s before anything starts.
 */
class GitSourceIT {

    private static Path dir;
    private static GitHost git;
    private static ServerFixture fx;
    private static SandboxApi api;

    @BeforeAll
    static void start() throws Exception {
        ServerFixture.assumeSandboxHost();
        dir = Files.createTempDirectory("ak-git-source-it-");
        git = GitHost.start(dir.resolve("git"));
        fx = ServerFixture.startIn(dir.resolve("daemon"), 4, List.of(), 0, c -> c, Map.of("AGENTKERNEL_NETWORK", "bridge"));
        api = new SandboxApi(fx);
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.removeAll();
        }
        if (fx != null) {
            fx.close();
        }
        if (git != null) {
            git.close();
        }
        if (dir != null) {
            dev.agentkernel.testing.TestDirectories.delete(dir);
        }
    }

    @Test
    void theRepositoryIsClonedIntoTheWorkspaceAtTheRefAsked() {
        api.createOk("src-main", Map.of("source_url", GitHost.repositoryUrl()));
        assertThat(api.sh("src-main", "cat /workspace/README; stat -c %u /workspace/README; cd /workspace && "
                + "git rev-parse --abbrev-ref HEAD && git status --porcelain && git log --oneline | wc -l"))
                .isEqualTo("two\n1000\nmain\n2\n");

        api.createOk("src-branch", Map.of("source_url", GitHost.repositoryUrl(), "source_ref", "feature"));
        assertThat(api.sh("src-branch", "cd /workspace && cat FEATURE && git rev-parse --abbrev-ref HEAD"))
                .isEqualTo("feature\nfeature\n");

        api.createOk("src-tag", Map.of("source_url", GitHost.repositoryUrl(), "source_ref", "v1"));
        assertThat(api.sh("src-tag", "cd /workspace && cat README && git describe --tags")).isEqualTo("one\nv1\n");

        JsonNode created = null;
        for (JsonNode e : fx.get("/audit").data()) {
            if ("src-branch".equals(e.path("sandbox").asText()) && e.path("event").asText().equals("sandbox_created")) {
                created = e;
            }
        }
        assertThat(created).isNotNull();
        assertThat(created.toString()).contains(GitHost.repositoryUrl()).contains("feature");
    }

    @Test
    void anAgentCreatesASandboxFromARepositoryOverMcp() {
        io.modelcontextprotocol.client.McpSyncClient client = McpApiIT.client(fx.baseUrl(), null);
        try {
            io.modelcontextprotocol.spec.McpSchema.CallToolResult r = client.callTool(
                    new io.modelcontextprotocol.spec.McpSchema.CallToolRequest("sandbox_create", Map.of("name", "src-mcp",
                            "source_url", GitHost.repositoryUrl(), "source_ref", "feature")));
            assertThat(r.isError()).as("%s", r).isFalse();
            assertThat(api.sh("src-mcp", "cat /workspace/FEATURE")).isEqualTo("feature\n");
            io.modelcontextprotocol.spec.McpSchema.CallToolResult bad = client.callTool(
                    new io.modelcontextprotocol.spec.McpSchema.CallToolRequest("sandbox_create", Map.of("name", "src-mcp2",
                            "source_url", "file:///etc")));
            assertThat(bad.isError()).as("%s", bad).isTrue();
        } finally {
            client.closeGracefully();
        }
    }

    @Test
    void aCloneThatCannotBeMadeIsA400AndLeavesNoSandbox() {
        ServerFixture.Response missing = api.create("src-missing", Map.of("source_url", "http://" + GitHost.ADDRESS
                + "/missing.git"));
        assertThat(ServerTestBase.assertErrorEnvelope(missing, 400).toString()).contains("cannot clone")
                .contains("missing.git");
        assertThat(api.get("src-missing").status()).isEqualTo(404);

        ServerFixture.Response badRef = api.create("src-badref", Map.of("source_url", GitHost.repositoryUrl(),
                "source_ref", "no-such-branch"));
        assertThat(ServerTestBase.assertErrorEnvelope(badRef, 400).toString()).contains("no-such-branch");
        assertThat(api.get("src-badref").status()).isEqualTo(404);

        // an image without git (the test busybox image)
        String busybox;
        try {
            busybox = dev.agentkernel.image.TestImages.get().ref(dev.agentkernel.image.TestImages.get().plain, "test/base:1");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        ServerFixture.Response noGit = api.create("src-nogit", Map.of("source_url", GitHost.repositoryUrl(),
                "image", busybox));
        assertThat(ServerTestBase.assertErrorEnvelope(noGit, 400).toString()).contains("has no git");
        assertThat(api.get("src-nogit").status()).isEqualTo(404);

        // the sandbox's network policy applies to the clone: the host is not allowed
        ServerFixture.Response refused = api.create("src-policy", Map.of("source_url", GitHost.repositoryUrl(),
                "network_policy", Map.of("allow_domains", List.of("example.com"))));
        assertThat(ServerTestBase.assertErrorEnvelope(refused, 400).toString()).contains("cannot clone");
        assertThat(api.get("src-policy").status()).isEqualTo(404);
    }

    @Test
    void badFieldsAreRefusedBeforeAnythingStarts() {
        for (Map<String, Object> body : List.<Map<String, Object>>of(
                Map.of("source_url", "file:///etc"),
                Map.of("source_url", "ext::sh -c id"),
                Map.of("source_url", "https://example.com/a b.git"),
                Map.of("source_url", GitHost.repositoryUrl(), "source_ref", "--upload-pack=touch /tmp/x"),
                Map.of("source_url", GitHost.repositoryUrl(), "source_ref", "a..b"),
                Map.of("source_ref", "main"),
                Map.of("source_url", GitHost.repositoryUrl(), "profile", "restrictive"),
                Map.of("source_url", GitHost.repositoryUrl(), "network", false))) {
            ServerFixture.Response r = api.create("src-bad", body);
            assertThat(r.status()).as("%s: %s", body, r).isEqualTo(400);
            ServerTestBase.assertErrorEnvelope(r, 400);
        }
        assertThat(api.get("src-bad").status()).isEqualTo(404);
    }
}
