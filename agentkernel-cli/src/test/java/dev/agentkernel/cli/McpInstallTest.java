package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentkernel mcp install}: each agent's format and file, merging without losing the
 * user's settings, the backup, idempotence, refusing a different entry without {@code --force},
 * and {@code agents} reading back what was written.
 */
class McpInstallTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final McpServerEntry STDIO = new McpServerEntry.Stdio("/opt/ak/agentkernel", List.of("mcp"),
            McpServerEntry.ordered());
    private static final McpServerEntry HTTP = new McpServerEntry.Http("http://127.0.0.1:18888/mcp",
            McpServerEntry.ordered("X-API-Key", "k-1"));

    @TempDir
    Path dir;
    Path home;
    Path state;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        home = Files.createDirectories(dir.resolve("home"));
        state = Files.createDirectories(dir.resolve("state"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path launcher = Files.createFile(bin.resolve("agentkernel"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(state.resolve("api-key"), "state-key\n");
        env = new HashMap<>(Map.of("HOME", home.toString(), "PATH", bin.toString()));
        assertThat(McpInstall.command(env)).isEqualTo(launcher);
    }

    private JsonNode json(Path file) throws Exception {
        return JSON.readTree(file.toFile());
    }

    private Result install(String agent, String... flags) throws Exception {
        List<String> f = List.of(flags);
        McpInstall.Request request = new McpInstall.Request(CodingAgent.named(agent), f.contains("--http"),
                f.contains("--project") ? Optional.of(dir.resolve("project")) : Optional.empty(), f.contains("--print"),
                f.contains("--force"), null);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = McpInstall.run(request, env, state, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    record Result(int code, String out, String err) {
    }

    @Test
    void claudeUserScopeKeepsTheOtherSettingsAndBacksTheFileUp() throws Exception {
        Path file = home.resolve(".claude.json");
        String before = "{\"numStartups\": 3, \"projects\": {\"/x\": {\"allowedTools\": []}},"
                + " \"mcpServers\": {\"other\": {\"command\": \"npx\", \"args\": [\"-y\", \"o\"]}}}";
        Files.writeString(file, before);

        assertThat(install("claude").out()).contains("written to " + file);

        JsonNode after = json(file);
        assertThat(after.path("numStartups").asInt()).isEqualTo(3);
        assertThat(after.path("projects")).isEqualTo(JSON.readTree(before).path("projects"));
        assertThat(after.path("mcpServers").path("other")).isEqualTo(JSON.readTree(before).path("mcpServers").path("other"));
        JsonNode ours = after.path("mcpServers").path("agentkernel");
        assertThat(ours.path("type").asText()).isEqualTo("stdio");
        assertThat(ours.path("command").asText()).isEqualTo(dir.resolve("bin/agentkernel").toString());
        assertThat(ours.path("args")).isEqualTo(JSON.readTree("[\"mcp\"]"));
        assertThat(Files.readString(McpInstall.backup(file))).isEqualTo(before);
    }

    @Test
    void runningItTwiceChangesNothing() throws Exception {
        install("gemini");
        Path file = home.resolve(".gemini/settings.json");
        String first = Files.readString(file);
        Files.deleteIfExists(McpInstall.backup(file));

        Result again = install("gemini");

        assertThat(again.out()).contains("nothing changed");
        assertThat(Files.readString(file)).isEqualTo(first);
        assertThat(McpInstall.backup(file)).doesNotExist();
    }

    @Test
    void aDifferentEntryIsReplacedOnlyWithForce() throws Exception {
        install("claude");
        Path file = home.resolve(".claude.json");
        String stdio = Files.readString(file);

        assertThatThrownBy(() -> install("claude", "--http")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already has a different 'agentkernel' MCP server (stdio); --force replaces it")
                .hasMessageNotContaining("state-key");
        assertThat(Files.readString(file)).isEqualTo(stdio);

        install("claude", "--http", "--force");
        JsonNode ours = json(file).path("mcpServers").path("agentkernel");
        assertThat(ours).isEqualTo(JSON.readTree("{\"type\": \"http\", \"url\": \"http://localhost:18888/mcp\","
                + " \"headers\": {\"X-API-Key\": \"state-key\"}}"));
        assertThat(Files.readString(McpInstall.backup(file))).isEqualTo(stdio);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("it holds the key")
                .isEqualTo("rw-------");
    }

    @Test
    void theProjectFileOfClaudeIsMcpJson() throws Exception {
        Result r = install("claude", "--project", "--http");
        Path file = dir.resolve("project/.mcp.json");
        assertThat(json(file).path("mcpServers").path("agentkernel").path("url").asText())
                .isEqualTo("http://localhost:18888/mcp");
        assertThat(r.err()).contains("holds the daemon's API key: keep it out of version control");
    }

    @Test
    void geminiUsesHttpUrlForStreamableHttp() {
        JsonNode http = McpConfigFormat.Json.GEMINI.tree(HTTP);
        assertThat(http.toString()).isEqualTo("{\"httpUrl\":\"http://127.0.0.1:18888/mcp\",\"headers\":{\"X-API-Key\":\"k-1\"}}");
        assertThat(McpConfigFormat.Json.GEMINI.tree(STDIO).toString())
                .isEqualTo("{\"command\":\"/opt/ak/agentkernel\",\"args\":[\"mcp\"]}");
    }

    @Test
    void opencodeLocalAndRemote() throws Exception {
        assertThat(McpConfigFormat.Json.OPENCODE.tree(STDIO).toString())
                .isEqualTo("{\"type\":\"local\",\"command\":[\"/opt/ak/agentkernel\",\"mcp\"],\"enabled\":true}");
        assertThat(McpConfigFormat.Json.OPENCODE.tree(HTTP).toString()).isEqualTo(
                "{\"type\":\"remote\",\"url\":\"http://127.0.0.1:18888/mcp\",\"headers\":{\"X-API-Key\":\"k-1\"},\"enabled\":true}");
        install("opencode");
        JsonNode file = json(home.resolve(".config/opencode/opencode.json"));
        assertThat(file.path("$schema").asText()).isEqualTo("https://opencode.ai/config.json");
        assertThat(file.path("mcp").path("agentkernel").path("type").asText()).isEqualTo("local");
    }

    @Test
    void opencodeTwoKeepsItsServersObject() {
        String v2 = "{\"mcp\": {\"servers\": {\"x\": {\"type\": \"local\", \"command\": [\"x\"]}}}}";
        String merged = McpConfigFormat.Json.OPENCODE.merged(v2, STDIO, Path.of("opencode.json"));
        assertThat(McpConfigFormat.Json.OPENCODE.current(merged, Path.of("o")).orElseThrow().path("type").asText())
                .isEqualTo("local");
        assertThat(merged).contains("\"servers\"").doesNotContain("\"mcp\" : {\n    \"agentkernel\"");
    }

    @Test
    void aJsonFileWithCommentsIsRefusedUntouched() throws Exception {
        Path file = Files.createDirectories(home.resolve(".config/opencode")).resolve("opencode.json");
        String text = "{\n  // my model\n  \"model\": \"anthropic/claude\",\n}\n";
        Files.writeString(file, text);
        assertThatThrownBy(() -> install("opencode")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("comments or trailing commas").hasMessageContaining("--print");
        assertThat(Files.readString(file)).isEqualTo(text);
        assertThat(McpInstall.backup(file)).doesNotExist();
    }

    @Test
    void codexTomlKeepsCommentsAndOtherTablesAndReplacesOnlyItsTable() throws Exception {
        Path file = Files.createDirectories(home.resolve(".codex")).resolve("config.toml");
        String before = """
                # my settings
                model = "o3"

                [mcp_servers.agentkernel]
                command = "/old/agentkernel"
                args = ["mcp"]

                [mcp_servers.agentkernel.env]
                X = "1"

                [mcp_servers.docs]
                url = "https://docs.example/mcp" # remote

                [profiles.fast]
                model = "o4-mini"
                """;
        Files.writeString(file, before);

        assertThatThrownBy(() -> install("codex")).isInstanceOf(ConflictException.class);
        install("codex", "--http", "--force");

        String after = Files.readString(file);
        assertThat(after).startsWith("# my settings\nmodel = \"o3\"\n\n[mcp_servers.agentkernel]\n"
                + "url = \"http://localhost:18888/mcp\"\nhttp_headers = { \"X-API-Key\" = \"state-key\" }\n\n"
                + "[mcp_servers.docs]\nurl = \"https://docs.example/mcp\" # remote\n");
        JsonNode tree = new TomlMapper().readTree(after);
        assertThat(tree.path("profiles").path("fast").path("model").asText()).isEqualTo("o4-mini");
        assertThat(tree.path("mcp_servers").path("agentkernel").has("env")).as("the old sub-table went").isFalse();
        assertThat(Files.readString(McpInstall.backup(file))).isEqualTo(before);
        // and again: nothing changes
        assertThat(install("codex", "--http").out()).contains("nothing changed");
    }

    @Test
    void codexAppendsToAFileWithoutIt() throws Exception {
        Path file = Files.createDirectories(home.resolve(".codex")).resolve("config.toml");
        Files.writeString(file, "model = \"o3\"");
        install("codex");
        assertThat(Files.readString(file)).isEqualTo("model = \"o3\"\n\n[mcp_servers.agentkernel]\ncommand = \""
                + dir.resolve("bin/agentkernel") + "\"\nargs = [\"mcp\"]\n");
    }

    @Test
    void codexRefusesAnEntryWrittenAsDottedKeys() throws Exception {
        Path file = Files.createDirectories(home.resolve(".codex")).resolve("config.toml");
        String text = "mcp_servers.agentkernel.command = \"/old\"\n";
        Files.writeString(file, text);
        assertThatThrownBy(() -> install("codex", "--force")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("cannot replace without changing other settings");
        assertThat(Files.readString(file)).isEqualTo(text);
    }

    @Test
    void tomlStringsAreEscaped() throws Exception {
        McpServerEntry odd = new McpServerEntry.Stdio("/a \"b\"\\c", List.of("mcp", "--url", "http://h:1"),
                McpServerEntry.ordered("AGENTKERNEL_STATE_DIR", "/s\tt"));
        JsonNode tree = new TomlMapper().readTree(McpConfigFormat.Toml.table(odd));
        assertThat(tree.path("mcp_servers").path("agentkernel").path("command").asText()).isEqualTo("/a \"b\"\\c");
        assertThat(tree.path("mcp_servers").path("agentkernel").path("env").path("AGENTKERNEL_STATE_DIR").asText())
                .isEqualTo("/s\tt");
    }

    @Test
    void printWritesNothing() throws Exception {
        Result r = install("codex", "--print", "--http");
        assertThat(r.out()).isEqualTo("[mcp_servers.agentkernel]\nurl = \"http://localhost:18888/mcp\"\n"
                + "http_headers = { \"X-API-Key\" = \"state-key\" }\n");
        assertThat(r.err()).contains(home.resolve(".codex/config.toml").toString());
        assertThat(home.resolve(".codex")).doesNotExist();
    }

    @Test
    void theStdioEntryNamesTheDaemonTheInstallFound() {
        env.put("AGENTKERNEL_STATE_DIR", state.toString());
        env.put("AGENTKERNEL_BASE_URL", "http://127.0.0.1:9999/");
        McpServerEntry.Stdio entry = (McpServerEntry.Stdio) McpInstall.entry(
                new McpInstall.Request(CodingAgent.CLAUDE, false, Optional.empty(), false, false, null), env, state);
        assertThat(entry.args()).containsExactly("mcp", "--url", "http://127.0.0.1:9999");
        assertThat(entry.env()).containsExactly(Map.entry("AGENTKERNEL_STATE_DIR", state.toString()));
        env.put(McpInstall.LAUNCHER_VARIABLE, dir.resolve("bin/agentkernel").toString());
        assertThat(McpInstall.command(env)).isEqualTo(dir.resolve("bin/agentkernel"));
        env.put("PATH", "/nonexistent");
        env.remove(McpInstall.LAUNCHER_VARIABLE);
        assertThatThrownBy(() -> McpInstall.command(env)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("put it on PATH");
    }

    @Test
    void agentsShowsWhatWasInstalled() throws Exception {
        install("claude");
        install("codex", "--http");
        install("opencode", "--project");
        Files.createDirectories(home.resolve(".gemini"));
        assertThat(AgentsCommand.lines(env, dir.resolve("project")).subList(2, 6)).containsExactly(
                "Claude Code     not installed   missing   stdio",
                "Gemini CLI      installed       missing   no",
                "Codex           installed       missing   http",
                "OpenCode        not installed   missing   stdio");
        Files.writeString(home.resolve(".gemini/settings.json"), "{broken");
        assertThat(AgentsCommand.lines(env, dir).get(3)).endsWith("unreadable");
    }

    @Test
    void claudeLocalScopeCounts() throws Exception {
        Path project = dir.resolve("p");
        Files.writeString(home.resolve(".claude.json"), "{\"projects\": {\"" + project + "\": {\"mcpServers\": "
                + "{\"agentkernel\": {\"type\": \"http\", \"url\": \"http://h/mcp\"}}}}}", StandardCharsets.UTF_8);
        assertThat(AgentsCommand.mcp(CodingAgent.CLAUDE, env, project)).isEqualTo("http");
        assertThat(AgentsCommand.mcp(CodingAgent.CLAUDE, env, dir)).isEqualTo("no");
    }

    @Test
    void theCommandLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Main.execute(new String[] {"mcp", "install"}, new PrintWriter(out), new PrintWriter(err, true)))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("'mcp install' needs an agent: claude, codex, gemini or opencode");
        err.getBuffer().setLength(0);
        assertThat(Main.execute(new String[] {"mcp", "install", "cursor"}, new PrintWriter(out), new PrintWriter(err, true)))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("unknown agent 'cursor': use one of claude, gemini, codex, opencode");
        err.getBuffer().setLength(0);
        assertThat(Main.execute(new String[] {"mcp", "--http"}, new PrintWriter(out), new PrintWriter(err, true)))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--http goes with 'mcp install AGENT'");
        StringWriter help = new StringWriter();
        Main.execute(new String[] {"mcp", "--help"}, new PrintWriter(help, true), new PrintWriter(err, true));
        assertThat(help.toString()).contains("install AGENT [--http] [--project] [--print] [--force] [--url URL]")
                .contains("~/.codex/config.toml").contains("agentkernel mcp install claude");
    }
}
