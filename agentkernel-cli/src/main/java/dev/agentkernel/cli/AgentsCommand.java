package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.model.InvalidRequestException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel agents}: which AI coding agents are installed here ({@link CodingAgent}: their
 * program on {@code PATH} or their settings directory), whether an API key they use is set, and
 * whether they are configured to use AgentKernel's MCP server ({@code agentkernel mcp install}) and
 * over which transport. Local only: no daemon needed.
 */
final class AgentsCommand implements Subcommand {

    @Override
    public String name() {
        return "agents";
    }

    @Override
    public String usage() {
        return "";
    }

    @Override
    public String summary() {
        return "Show which AI coding agents are installed, have API keys and use AgentKernel";
    }

    @Override
    public List<String> description() {
        return List.of("Check this machine for AI coding agents: installed means their program is on PATH or their",
                "settings directory exists, and the API key is set when one of its variables is non-empty:",
                "  Claude Code (claude)   ANTHROPIC_API_KEY",
                "  Gemini CLI (gemini)    GEMINI_API_KEY or GOOGLE_API_KEY",
                "  Codex (codex)          OPENAI_API_KEY",
                "  OpenCode (opencode)    ANTHROPIC_API_KEY or OPENAI_API_KEY",
                "MCP says whether the agent's configuration (the user's, else the current directory's project) has",
                "AgentKernel's MCP server, and over which transport (stdio or http); 'no' when it has not: add it with",
                "'agentkernel mcp install AGENT'. Needs no daemon.");
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel agents", "agentkernel mcp install claude && agentkernel agents");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        DaemonClientCommand.noArguments(args, name());
        lines(System.getenv(), Path.of("").toAbsolutePath()).forEach(out::println);
        return 0;
    }

    /** The table: header, dashes, one row per agent; {@code project} is the directory whose project files count. */
    static List<String> lines(Map<String, String> env, Path project) {
        List<String> lines = new ArrayList<>();
        lines.add(row("AGENT", "STATUS", "API KEY", "MCP"));
        lines.add("-".repeat(55));
        for (CodingAgent agent : CodingAgent.values()) {
            lines.add(row(agent.title(), agent.installed(env) ? "installed" : "not installed",
                    agent.hasKey(env) ? "set" : "missing", mcp(agent, env, project)));
        }
        return lines;
    }

    private static String row(String agent, String status, String key, String mcp) {
        return String.format("%-16s%-16s%-10s%s", agent, status, key, mcp);
    }

    /**
     * The transport of the agent's {@code agentkernel} MCP server: in the user's file (for Claude
     * Code also the local scope of {@code project} in {@code ~/.claude.json}), else in the project's;
     * {@code no} when neither has one, {@code unreadable} when a file cannot be read.
     */
    static String mcp(CodingAgent agent, Map<String, String> env, Path project) {
        if (!env.containsKey("HOME")) {
            return "no"; // no home to look in (tests)
        }
        try {
            Path user = agent.configFile(env, Optional.empty());
            Optional<JsonNode> entry = entry(agent, user);
            if (entry.isEmpty() && agent == CodingAgent.CLAUDE) {
                entry = localScope(user, project);
            }
            if (entry.isEmpty()) {
                entry = entry(agent, agent.configFile(env, Optional.of(project)));
            }
            return entry.map(e -> agent.format().transportOf(e)).orElse("no");
        } catch (InvalidRequestException | IOException e) {
            return "unreadable";
        }
    }

    private static Optional<JsonNode> entry(CodingAgent agent, Path file) throws IOException {
        try {
            return agent.format().current(Files.readString(file, StandardCharsets.UTF_8), file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Claude Code's local scope: {@code projects[DIR].mcpServers} of {@code ~/.claude.json}. */
    private static Optional<JsonNode> localScope(Path claudeJson, Path project) throws IOException {
        try {
            JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    Files.readString(claudeJson, StandardCharsets.UTF_8));
            JsonNode entry = root.path("projects").path(project.toString()).path("mcpServers").path(McpServerEntry.NAME);
            return entry.isMissingNode() ? Optional.empty() : Optional.of(entry);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
