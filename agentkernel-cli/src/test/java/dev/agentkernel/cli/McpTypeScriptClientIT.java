package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.testing.SandboxHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official TypeScript MCP client ({@code @modelcontextprotocol/sdk} from the npm registry, what
 * the Inspector and most desktop agents use) calls every tool with good and bad arguments over the
 * daemon's Streamable HTTP {@code /mcp} and over {@code agentkernel mcp} (stdio):
 * {@code src/test/node/mcp-client.mjs}. A tool-level failure must be an error result the client
 * shows, never a protocol error it throws (as it did for an error whose structured content did not
 * match the tool's output schema: {@code -32602}).
 */
class McpTypeScriptClientIT {

    static final String SDK = "@modelcontextprotocol/sdk@1.32.2";
    @RegisterExtension
    static final LauncherDaemon FX = new LauncherDaemon("ak-mcp-ts-it-");
    static Path modules;
    /** An image of a loopback registry for image_pull, when this host can run one; else null. */
    static String testImage;

    @BeforeAll
    static void start() throws Exception {
        SandboxHost.require(SandboxHost.onPath("node").isPresent() && SandboxHost.onPath("npm").isPresent(),
                "the TypeScript MCP client needs Node.js and npm on PATH");
        TestDaemon.assumeSandboxHost();
        modules = install(Path.of("target", "node-mcp-sdk").toAbsolutePath());
        FX.start();
        if (SandboxHost.onPath("docker-registry").isPresent() && SandboxHost.onPath("skopeo").isPresent()
                && SandboxHost.onPath("umoci").isPresent()) {
            // image_pull's good call, through the client that checks results against the output schema
            dev.agentkernel.image.TestImages images = dev.agentkernel.image.TestImages.get();
            testImage = images.ref(images.plain, "test/base:1");
        }
    }

    /** Installs the SDK into {@code target} once (kept across runs); its node_modules. */
    static Path install(Path target) throws Exception {
        Path marker = target.resolve("node_modules/@modelcontextprotocol/sdk/package.json");
        if (!Files.isRegularFile(marker)) {
            Files.createDirectories(target);
            Files.writeString(target.resolve("package.json"), "{\"name\": \"ak-mcp-sdk\", \"private\": true}\n");
            String out = run(List.of("npm", "install", "--no-audit", "--no-fund", "--no-save", SDK), target, Duration.ofMinutes(4));
            SandboxHost.require(Files.isRegularFile(marker), "cannot install " + SDK + " from the npm registry: " + out);
        }
        return target.resolve("node_modules");
    }

    static String run(List<String> argv, Path cwd, Duration limit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("MCP_SDK_MODULES", modules == null ? "" : modules.toString());
        pb.environment().put("npm_config_update_notifier", "false");
        if (testImage != null) {
            pb.environment().put("AK_TEST_IMAGE", testImage);
        }
        if (FX.launcher() != null) {
            pb.environment().put("AGENTKERNEL_STATE_DIR", FX.launcher().stateDir.toString());
            pb.environment().put("AGENTKERNEL_RUNTIME_DIR", FX.launcher().runtimeDir.toString());
        }
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<byte[]> out = Launcher.drain(p.getInputStream());
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(argv + " did not end within " + limit + ":\n"
                    + new String(out.getNow(new byte[0]), StandardCharsets.UTF_8));
        }
        String text = new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        return "exit " + p.exitValue() + "\n" + text;
    }

    static void assertAllPassed(String output) {
        System.out.println(output); // kept in target/failsafe-reports/*-output.txt
        List<String> lines = output.strip().lines().toList();
        assertThat(lines).as(output).noneMatch(l -> l.startsWith("not ok"));
        assertThat(lines.getFirst()).as(output).isEqualTo("exit 0");
        assertThat(lines.getLast()).as(output).matches("\\d+ passed, 0 failed");
        assertThat(lines).as("good and bad calls ran").anyMatch(l -> l.startsWith("ok - get_background_task_status unknown id"))
                .anyMatch(l -> l.startsWith("ok - sandbox_remove good"));
    }

    @Test
    void everyToolOverStreamableHttp() throws Exception {
        String script = Path.of("src/test/node/mcp-client.mjs").toAbsolutePath().toString();
        assertAllPassed(run(List.of("node", script, "http", FX.daemon().url() + "/mcp"), FX.dir(),
                Duration.ofMinutes(6)));
    }

    @Test
    void everyToolOverStdio() throws Exception {
        String script = Path.of("src/test/node/mcp-client.mjs").toAbsolutePath().toString();
        List<String> argv = new ArrayList<>(List.of("node", script, "stdio", Launcher.SCRIPT.toString(), "mcp", "--url",
                FX.daemon().url()));
        assertAllPassed(run(argv, FX.dir(), Duration.ofMinutes(6)));
    }
}
