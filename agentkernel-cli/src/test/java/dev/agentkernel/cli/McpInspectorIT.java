package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.cli.Launcher.Outcome;
import dev.agentkernel.mcp.ToolCatalog;
import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MCP Inspector's command-line mode (from the npm registry, run with {@code npx}) against
 * the daemon's {@code /mcp} and against {@code agentkernel mcp}: a third-party client lists the
 * tools and calls one over both transports. Skipped when {@code npx} is not on PATH.
 */
class McpInspectorIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String INSPECTOR = "@modelcontextprotocol/inspector";
    @RegisterExtension
    static final LauncherDaemon FX = new LauncherDaemon("ak-mcp-inspector-it-");

    @BeforeAll
    static void start() throws IOException {
        SandboxHost.require(SandboxHost.onPath("npx").isPresent(), "the MCP Inspector runs with npx: install Node.js "
                + "and npm (apt-get install -y nodejs npm) to run this test");
        TestDaemon.assumeSandboxHost();
        FX.start();
    }

    /** Runs {@code npx -y @modelcontextprotocol/inspector --cli ARGS} and parses its JSON answer. */
    static JsonNode inspector(List<String> args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("npx", "-y", INSPECTOR, "--cli"));
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(FX.dir().toFile());
        pb.environment().put("AGENTKERNEL_STATE_DIR", FX.launcher().stateDir.toString());
        pb.environment().put("AGENTKERNEL_RUNTIME_DIR", FX.launcher().runtimeDir.toString());
        pb.environment().put("npm_config_update_notifier", "false");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<byte[]> out = Launcher.drain(p.getInputStream());
        CompletableFuture<byte[]> err = Launcher.drain(p.getErrorStream());
        if (!p.waitFor(Duration.ofMinutes(5).toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("the inspector did not end within 5 minutes: " + argv);
        }
        String stdout = new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        String stderr = new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s\n--- stdout ---\n%s\n--- stderr ---\n%s", argv, stdout, stderr).isZero();
        int start = stdout.indexOf('{');
        assertThat(start).as("JSON in %s", stdout).isNotNegative();
        return JSON.readTree(stdout.substring(start));
    }

    static List<String> names(JsonNode toolsList) {
        List<String> names = new ArrayList<>();
        toolsList.path("tools").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    @Test
    void theInspectorListsAndCallsToolsOverStreamableHttp() throws Exception {
        String url = FX.daemon().url() + "/mcp";
        JsonNode listed = inspector(List.of(url, "--transport", "http", "--method", "tools/list"));
        assertThat(names(listed)).containsExactlyElementsOf(ToolCatalog.NAMES);
        JsonNode dispatch = listed.path("tools").get(0);
        assertThat(dispatch.path("inputSchema").path("required").toString()).isEqualTo("[\"task_description\"]");

        JsonNode called = inspector(List.of(url, "--transport", "http", "--method", "tools/call",
                "--tool-name", "sandbox_run", "--tool-arg", "command=echo inspected"));
        assertThat(called.path("isError").asBoolean()).as("%s", called).isFalse();
        assertThat(called.path("structuredContent").path("stdout").asText()).isEqualTo("inspected\n");

        JsonNode failed = inspector(List.of(url, "--transport", "http", "--method", "tools/call",
                "--tool-name", "execute_code", "--tool-arg", "code=1/0"));
        assertThat(failed.path("isError").asBoolean()).as("%s", failed).isTrue();
        assertThat(failed.path("content").get(0).path("text").asText()).startsWith("ZeroDivisionError");
    }

    @Test
    void theInspectorListsAndCallsToolsOverStdio() throws Exception {
        List<String> server = List.of("-e", "AGENTKERNEL_STATE_DIR=" + FX.launcher().stateDir,
                "-e", "AGENTKERNEL_RUNTIME_DIR=" + FX.launcher().runtimeDir, "--",
                Launcher.SCRIPT.toString(), "mcp", "--url", FX.daemon().url());
        List<String> list = new ArrayList<>(server);
        list.addAll(List.of("--method", "tools/list"));
        assertThat(names(inspector(list))).containsExactlyElementsOf(ToolCatalog.NAMES);

        List<String> call = new ArrayList<>(server);
        call.addAll(List.of("--method", "tools/call", "--tool-name", "execute_task",
                "--tool-arg", "task_description=print(6 * 7)"));
        JsonNode called = inspector(call);
        assertThat(called.path("isError").asBoolean()).as("%s", called).isFalse();
        assertThat(called.path("structuredContent").path("status").asText()).isEqualTo("completed");
        assertThat(called.path("structuredContent").path("output").asText()).isEqualTo("42\n");
    }
}
