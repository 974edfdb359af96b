package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.mcp.ToolCatalog;
import dev.agentkernel.testing.SandboxHost;
import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code agentkernel mcp install} writes works in the agent: the real launcher writes each
 * configuration into a private home (or project), then the official TypeScript MCP client
 * ({@code @modelcontextprotocol/sdk}, {@code src/test/node/mcp-config-client.mjs}) reads the entry
 * from that file as the agent does, starts exactly that transport (the entry's command, args and env
 * on stdio, with nothing else of the test's environment; or its URL and headers on Streamable HTTP
 * against a real daemon that wants an API key), lists the tools and runs a command in a sandbox
 * through them. The key comes from the daemon's key file, as for every client command.
 */
class McpInstallIT {

    static final String KEY = "it-mcp-install-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    static Path modules;
    static TestDaemon daemon;
    static Path dir;
    static Launcher launcher;

    @BeforeAll
    static void start() throws Exception {
        SandboxHost.require(SandboxHost.onPath("node").isPresent() && SandboxHost.onPath("npm").isPresent(),
                "the TypeScript MCP client needs Node.js and npm on PATH");
        TestDaemon.assumeSandboxHost();
        modules = McpTypeScriptClientIT.install(Path.of("target", "node-mcp-sdk").toAbsolutePath());
        dir = Files.createTempDirectory("ak-mcp-install-it-");
        launcher = new Launcher(dir);
        daemon = TestDaemon.start(List.of(KEY));
        // the daemon's key file in the launcher's state directory (what 'serve' writes for its own key)
        Files.writeString(launcher.stateDir.resolve("api-key"), KEY + "\n");
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            if (dir != null) {
                TestDirectories.delete(dir);
            }
        }
    }

    /** A fresh home and project directory for one agent's configuration. */
    private static Path[] homeAndProject(String name) throws IOException {
        Path base = Files.createDirectories(dir.resolve(name));
        return new Path[] {Files.createDirectories(base.resolve("home")), Files.createDirectories(base.resolve("project"))};
    }

    private static Launcher.Outcome install(Path home, Path project, String... args) {
        List<String> argv = new ArrayList<>(List.of("mcp", "install"));
        argv.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("AGENTKERNEL_BASE_URL", null);
        env.put("AGENTKERNEL_API_KEY", null);
        env.put("CODEX_HOME", null);
        env.put("XDG_CONFIG_HOME", null);
        Launcher.Outcome out = launcher.run(project, null, env, Launcher.DEFAULT_LIMIT, argv);
        assertThat(out.exitCode()).as(out.describe()).isZero();
        return out;
    }

    /** Runs the TypeScript client on the entry of {@code file}: its output, starting with "exit CODE". */
    private static String client(String agent, Path file, String... flags) throws Exception {
        List<String> argv = new ArrayList<>(List.of("node", Path.of("src/test/node/mcp-config-client.mjs").toAbsolutePath()
                .toString(), agent, file.toString()));
        argv.addAll(List.of(flags));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("MCP_SDK_MODULES", modules.toString());
        // none of these may help the configured server find the daemon: the entry must say it all
        for (String v : List.of("AGENTKERNEL_STATE_DIR", "AGENTKERNEL_RUNTIME_DIR", "AGENTKERNEL_BASE_URL",
                "AGENTKERNEL_API_KEY", "AGENTKERNEL_LAUNCHER")) {
            pb.environment().remove(v);
        }
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<byte[]> out = Launcher.drain(p.getInputStream());
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(argv + " did not end:\n" + new String(out.getNow(new byte[0]), StandardCharsets.UTF_8));
        }
        String text = "exit " + p.exitValue() + "\n" + new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        System.out.println(text); // kept in target/failsafe-reports/*-output.txt
        return text;
    }

    private static void assertWorked(String output) {
        assertThat(output).as(output).startsWith("exit 0\n")
                .contains("tools: " + String.join(" ", ToolCatalog.NAMES))
                .contains("ok - sandbox_run: ").contains("hello from the configured server")
                .doesNotContain("not ok");
    }

    @Test
    void claudeProjectStdioEntryStartsAWorkingServer() throws Exception {
        Path[] hp = homeAndProject("claude-stdio");
        Launcher.Outcome out = install(hp[0], hp[1], "claude", "--project", "--url", daemon.url());
        Path file = hp[1].resolve(".mcp.json");
        assertThat(out.stdout()).contains("written to " + file);
        JsonNode entry = JSON.readTree(file.toFile()).path("mcpServers").path("agentkernel");
        assertThat(entry.path("type").asText()).isEqualTo("stdio");
        assertThat(entry.path("command").asText()).isEqualTo(Launcher.SCRIPT.toString());
        assertThat(entry.path("args")).isEqualTo(JSON.valueToTree(List.of("mcp", "--url", daemon.url())));
        assertThat(entry.path("env").path("AGENTKERNEL_STATE_DIR").asText()).isEqualTo(launcher.stateDir.toString());

        assertWorked(client("claude", file));

        // again: nothing changes, no backup of an unchanged file
        assertThat(install(hp[0], hp[1], "claude", "--project", "--url", daemon.url()).stdout()).contains("nothing changed");
        assertThat(hp[1].resolve(".mcp.json.bak")).doesNotExist();
    }

    @Test
    void claudeUserHttpEntryCarriesTheKeyTheDaemonWants() throws Exception {
        Path[] hp = homeAndProject("claude-http");
        Path file = hp[0].resolve(".claude.json");
        Files.writeString(file, "{\"numStartups\": 7, \"mcpServers\": {\"other\": {\"command\": \"true\"}}}");
        install(hp[0], hp[1], "claude", "--http", "--url", daemon.url());
        JsonNode config = JSON.readTree(file.toFile());
        assertThat(config.path("numStartups").asInt()).isEqualTo(7);
        assertThat(config.path("mcpServers").path("other").path("command").asText()).isEqualTo("true");
        assertThat(config.path("mcpServers").path("agentkernel")).isEqualTo(JSON.readTree("{\"type\": \"http\", \"url\": \""
                + daemon.url() + "/mcp\", \"headers\": {\"X-API-Key\": \"" + KEY + "\"}}"));
        assertThat(hp[0].resolve(".claude.json.bak")).isRegularFile();

        assertWorked(client("claude", file));
        // the header of the file is what lets it in
        String refused = client("claude", file, "--no-headers");
        assertThat(refused).as(refused).doesNotStartWith("exit 0").contains("not ok - connect");
    }

    @Test
    void geminiAndOpencodeEntriesWorkToo() throws Exception {
        Path[] gemini = homeAndProject("gemini");
        install(gemini[0], gemini[1], "gemini", "--http", "--url", daemon.url());
        assertWorked(client("gemini", gemini[0].resolve(".gemini/settings.json")));

        Path[] opencode = homeAndProject("opencode");
        install(opencode[0], opencode[1], "opencode", "--project", "--url", daemon.url());
        assertWorked(client("opencode", opencode[1].resolve("opencode.json")));
    }

    @Test
    void agentsSeesTheInstalledEntries() throws Exception {
        Path[] hp = homeAndProject("agents");
        install(hp[0], hp[1], "codex", "--http", "--url", daemon.url());
        install(hp[0], hp[1], "claude", "--url", daemon.url());
        Map<String, String> env = new HashMap<>();
        env.put("HOME", hp[0].toString());
        env.put("CODEX_HOME", null);
        env.put("XDG_CONFIG_HOME", null);
        Launcher.Outcome agents = launcher.run(hp[1], null, env, Launcher.DEFAULT_LIMIT, List.of("agents"));
        assertThat(agents.exitCode()).as(agents.describe()).isZero();
        assertThat(agents.stdout().lines().toList()).anyMatch(l -> l.startsWith("Claude Code") && l.endsWith("stdio"))
                .anyMatch(l -> l.startsWith("Codex           installed") && l.endsWith("http"))
                .anyMatch(l -> l.startsWith("Gemini CLI") && l.endsWith("no"));
        String toml = Files.readString(hp[0].resolve(".codex/config.toml"));
        assertThat(toml).isEqualTo("[mcp_servers.agentkernel]\nurl = \"" + daemon.url() + "/mcp\"\n"
                + "http_headers = { \"X-API-Key\" = \"" + KEY + "\" }\n");
    }
}
