package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.agentkernel.mcp.ToolCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Claude Code plugin kept in {@code plugins/claude-code/sandbox} (the {@code sandbox} skill and
 * the {@code /sandbox <command>} command of spec 002, with AgentKernel's MCP server) and the
 * marketplace at the repository's root ({@code .claude-plugin/marketplace.json}), checked against
 * the plugin format as Claude Code's documentation states it: the manifest at
 * {@code .claude-plugin/plugin.json} with a kebab-case {@code name} (code.claude.com/docs/en/plugins/
 * manifest-reference; the plugin-dev manifest reference's {@code /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/}), the
 * components at the plugin's root, never inside {@code .claude-plugin/}; a skill is
 * {@code skills/NAME/SKILL.md} whose YAML frontmatter has {@code name} (1-64 lowercase letters, digits
 * and single hyphens, the directory's name) and {@code description} (1-1024 characters) (the Agent
 * Skills specification); a command is {@code commands/NAME.md}, Markdown with frontmatter
 * ({@code description}, {@code argument-hint}, {@code allowed-tools}) whose body takes
 * {@code $ARGUMENTS}; MCP servers in {@code .mcp.json} as a project's {@code .mcp.json} holds them; the
 * marketplace names itself, its {@code owner.name} and each plugin's {@code name} and {@code ./} source.
 */
class ClaudePluginTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path PLUGIN = ROOT.resolve("plugins/claude-code/sandbox");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEBAB = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final Pattern SKILL_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern SEMVER = Pattern.compile("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?");
    private static final Pattern FRONTMATTER = Pattern.compile("\\A---\\n(.*?)\\n---\\n(.*)\\z", Pattern.DOTALL);
    /** A tool named in backquotes: {@code `sandbox_run`}. */
    private static final Pattern TOOL = Pattern.compile("`([a-z]+(?:_[a-z]+)+)`");

    /** Frontmatter and body of a Markdown file. */
    record Markdown(Map<String, Object> front, String body) {
        static Markdown read(Path file) throws IOException {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Matcher m = FRONTMATTER.matcher(text);
            assertThat(m.matches()).as(file + " starts with a YAML frontmatter between --- lines").isTrue();
            @SuppressWarnings("unchecked")
            Map<String, Object> front = new YAMLMapper().readValue(m.group(1), LinkedHashMap.class);
            return new Markdown(front, m.group(2));
        }
    }

    @Test
    void theManifestIsWhereClaudeCodeLooksAndNamesThePluginOfTheSpecification() throws IOException {
        Path manifest = PLUGIN.resolve(".claude-plugin/plugin.json");
        JsonNode plugin = JSON.readTree(manifest.toFile());
        // spec 002: "/plugin install sandbox"
        assertThat(plugin.path("name").asText()).isEqualTo("sandbox").matches(KEBAB);
        assertThat(plugin.path("version").asText()).matches(SEMVER);
        assertThat(plugin.path("description").asText()).isNotBlank();
        assertThat(plugin.path("author").path("name").asText()).isNotBlank();
        try (Stream<Path> inside = Files.list(manifest.getParent())) {
            assertThat(inside.map(p -> p.getFileName().toString()).toList()).as("only the manifest in .claude-plugin/")
                    .containsExactly("plugin.json");
        }
        for (String field : List.of("commands", "skills", "mcpServers", "agents", "hooks")) {
            assertThat(plugin.has(field)).as(field + ": the default locations are used").isFalse();
        }
    }

    @Test
    void theSandboxSkillHasItsFrontmatterAndNamesRealTools() throws IOException {
        Path skill = PLUGIN.resolve("skills/sandbox/SKILL.md");
        Markdown md = Markdown.read(skill);
        assertThat(md.front()).containsKeys("name", "description");
        String name = (String) md.front().get("name");
        assertThat(name).isEqualTo(skill.getParent().getFileName().toString()).hasSizeBetween(1, 64).matches(SKILL_NAME);
        assertThat((String) md.front().get("description")).hasSizeBetween(1, 1024).contains("sandbox");
        assertThat(md.body()).contains("sandbox_run");
        assertToolsExist(md.body(), skill);
        assertCommandsExist(md.body(), skill);
    }

    @Test
    void theSandboxCommandTakesTheCommandLine() throws IOException {
        Path command = PLUGIN.resolve("commands/sandbox.md"); // "/sandbox <command>"
        Markdown md = Markdown.read(command);
        assertThat(md.front()).containsKeys("description", "argument-hint");
        assertThat((String) md.front().get("description")).isNotBlank();
        assertThat(md.front().get("argument-hint")).isEqualTo("<command>");
        assertThat(md.front().get("allowed-tools")).isEqualTo("Bash(agentkernel:*)");
        assertThat(md.body()).contains("$ARGUMENTS").contains("sandbox_run");
        assertToolsExist(md.body(), command);
        assertCommandsExist(md.body(), command);
    }

    @Test
    void theMcpServerIsTheOneMcpInstallWrites() throws IOException {
        JsonNode config = JSON.readTree(PLUGIN.resolve(".mcp.json").toFile());
        assertThat(config.properties()).extracting(Map.Entry::getKey).containsExactly("mcpServers");
        JsonNode server = config.path("mcpServers").path(McpServerEntry.NAME);
        // the entry 'agentkernel mcp install claude' writes, with the program found on PATH
        assertThat(server).isEqualTo(McpConfigFormat.Json.CLAUDE.tree(
                new McpServerEntry.Stdio("agentkernel", List.of("mcp"), McpServerEntry.ordered())));
        assertThat(Main.subcommands()).extracting(Subcommand::name).contains(server.path("args").get(0).asText());
    }

    @Test
    void theMarketplaceListsThePlugin() throws IOException {
        JsonNode market = JSON.readTree(ROOT.resolve(".claude-plugin/marketplace.json").toFile());
        assertThat(market.path("name").asText()).matches(KEBAB);
        assertThat(market.path("owner").path("name").asText()).isNotBlank();
        assertThat(market.path("plugins").isArray()).isTrue();
        JsonNode entry = market.path("plugins").get(0);
        assertThat(entry.path("name").asText()).isEqualTo("sandbox");
        String source = entry.path("source").asText();
        assertThat(source).startsWith("./");
        assertThat(ROOT.resolve(source).normalize()).isEqualTo(PLUGIN);
        assertThat(PLUGIN.resolve(".claude-plugin/plugin.json")).isRegularFile();
    }

    /** Every tool the text names in backquotes is one of the MCP server's. */
    private static void assertToolsExist(String text, Path file) {
        List<String> named = new ArrayList<>();
        Matcher m = TOOL.matcher(text);
        while (m.find()) {
            named.add(m.group(1));
        }
        named.removeAll(List.of("session_id")); // an argument
        assertThat(named).as(file + " names tools").isNotEmpty();
        assertThat(ToolCatalog.NAMES).as(file + ": tools it names").containsAll(named);
    }

    /** Every {@code agentkernel WORD} the text shows is a command of the CLI. */
    private static void assertCommandsExist(String text, Path file) {
        Matcher m = Pattern.compile("agentkernel ([a-z]+)").matcher(text);
        List<String> used = new ArrayList<>();
        while (m.find()) {
            used.add(m.group(1));
        }
        assertThat(used).as(file + " shows the command line").isNotEmpty();
        assertThat(Main.subcommands()).extracting(Subcommand::name).as(file.toString()).containsAll(used);
    }
}
