package dev.agentkernel.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The AI coding agents {@code agentkernel agents} looks for and {@code agentkernel mcp install}
 * configures: their program, the API keys they use, where they keep their MCP servers
 * (per user and per project) and in which format ({@link McpConfigFormat}).
 */
enum CodingAgent {
    /** Anthropic's Claude Code. */
    CLAUDE("claude", "Claude Code", "claude", List.of("ANTHROPIC_API_KEY"), McpConfigFormat.Json.CLAUDE),
    /** Google's Gemini CLI. */
    GEMINI("gemini", "Gemini CLI", "gemini", List.of("GEMINI_API_KEY", "GOOGLE_API_KEY"), McpConfigFormat.Json.GEMINI),
    /** OpenAI's Codex CLI. */
    CODEX("codex", "Codex", "codex", List.of("OPENAI_API_KEY"), new McpConfigFormat.Toml()),
    /**
     * opencode. It talks to many providers; a key of either of the two it is most used with
     * (Anthropic or OpenAI) counts.
     */
    OPENCODE("opencode", "OpenCode", "opencode", List.of("ANTHROPIC_API_KEY", "OPENAI_API_KEY"),
            McpConfigFormat.Json.OPENCODE);

    private final String id;
    private final String title;
    private final String program;
    private final List<String> keys;
    private final McpConfigFormat format;

    CodingAgent(String id, String title, String program, List<String> keys, McpConfigFormat format) {
        this.id = id;
        this.title = title;
        this.program = program;
        this.keys = keys;
        this.format = format;
    }

    /** The word that names it on the command line ({@code mcp install claude}). */
    String id() {
        return id;
    }

    /** As shown in tables. */
    String title() {
        return title;
    }

    /** Its program on {@code PATH}. */
    String program() {
        return program;
    }

    /** Environment variables, any one of which is an API key it can use. */
    List<String> keys() {
        return keys;
    }

    McpConfigFormat format() {
        return format;
    }

    /** The agent a word names; an error listing the known ones otherwise. */
    static CodingAgent named(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(a -> a.id.equals(w) || (a == CLAUDE && w.equals("claude-code"))).findFirst()
                .orElseThrow(() -> new dev.agentkernel.model.InvalidRequestException("unknown agent '" + word
                        + "': use one of " + String.join(", ", Arrays.stream(values()).map(CodingAgent::id).toList())));
    }

    /** The home directory: {@code HOME}, else the JVM's {@code user.home}. */
    static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home);
    }

    /** The directory where it keeps its own settings (its existence says it was used here). */
    Path configDir(Map<String, String> env) {
        Path home = home(env);
        return switch (this) {
            case CLAUDE -> home.resolve(".claude");
            case GEMINI -> home.resolve(".gemini");
            case CODEX -> {
                String codexHome = env.get("CODEX_HOME");
                yield codexHome == null || codexHome.isBlank() ? home.resolve(".codex") : Path.of(codexHome);
            }
            case OPENCODE -> {
                String xdg = env.get("XDG_CONFIG_HOME");
                yield (xdg == null || xdg.isBlank() ? home.resolve(".config") : Path.of(xdg)).resolve("opencode");
            }
        };
    }

    /**
     * The file holding its MCP servers: for this user, or for the project in {@code project}.
     * Claude Code: {@code ~/.claude.json} / {@code .mcp.json}; Gemini CLI: {@code ~/.gemini/settings.json}
     * / {@code .gemini/settings.json}; Codex: {@code ~/.codex/config.toml} / {@code .codex/config.toml};
     * opencode: {@code ~/.config/opencode/opencode.json} / {@code opencode.json}.
     */
    Path configFile(Map<String, String> env, Optional<Path> project) {
        if (project.isPresent()) {
            Path dir = project.get();
            return switch (this) {
                case CLAUDE -> dir.resolve(".mcp.json");
                case GEMINI -> dir.resolve(".gemini").resolve("settings.json");
                case CODEX -> dir.resolve(".codex").resolve("config.toml");
                case OPENCODE -> dir.resolve("opencode.json");
            };
        }
        return switch (this) {
            case CLAUDE -> home(env).resolve(".claude.json");
            case GEMINI -> configDir(env).resolve("settings.json");
            case CODEX -> configDir(env).resolve("config.toml");
            case OPENCODE -> configDir(env).resolve("opencode.json");
        };
    }

    /** Whether it is installed here: its program on {@code PATH}, or its settings directory exists. */
    boolean installed(Map<String, String> env) {
        return onPath(program, env.get("PATH")).isPresent() || (env.containsKey("HOME") && Files.isDirectory(configDir(env)));
    }

    /** Whether one of its API key variables is set (not blank). */
    boolean hasKey(Map<String, String> env) {
        return keys.stream().anyMatch(k -> env.get(k) != null && !env.get(k).isBlank());
    }

    /** The executable regular file {@code program} in a directory of {@code path}, if any. */
    static Optional<Path> onPath(String program, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator, -1)) {
            try {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toAbsolutePath());
                }
            } catch (InvalidPathException e) {
                // not a directory name: skip it
            }
        }
        return Optional.empty();
    }
}
