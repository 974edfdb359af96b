package dev.agentkernel.cli;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel agents}: which AI coding agents are installed here (their program on
 * {@code PATH}) and whether an API key they use is set. Local only: no daemon needed.
 */
final class AgentsCommand implements Subcommand {

    /**
     * One agent.
     *
     * @param name    as shown
     * @param program the program on PATH
     * @param keys    environment variables, any one of which is an API key it can use
     */
    record Agent(String name, String program, List<String> keys) {
    }

    /**
     * The agents checked. OpenCode talks to many providers; a key of either of the two it is
     * most used with (Anthropic or OpenAI) counts.
     */
    static final List<Agent> AGENTS = List.of(
            new Agent("Claude Code", "claude", List.of("ANTHROPIC_API_KEY")),
            new Agent("Gemini CLI", "gemini", List.of("GEMINI_API_KEY", "GOOGLE_API_KEY")),
            new Agent("Codex", "codex", List.of("OPENAI_API_KEY")),
            new Agent("OpenCode", "opencode", List.of("ANTHROPIC_API_KEY", "OPENAI_API_KEY")));

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
        return "Show which AI coding agents are installed and have API keys";
    }

    @Override
    public List<String> description() {
        return List.of("Check this machine for AI coding agents: installed means their program is on PATH, and the",
                "API key is set when one of its variables is non-empty:",
                "  Claude Code (claude)   ANTHROPIC_API_KEY",
                "  Gemini CLI (gemini)    GEMINI_API_KEY or GOOGLE_API_KEY",
                "  Codex (codex)          OPENAI_API_KEY",
                "  OpenCode (opencode)    ANTHROPIC_API_KEY or OPENAI_API_KEY",
                "Needs no daemon.");
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel agents");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) {
        DaemonClientCommand.noArguments(args, name());
        lines(System.getenv()).forEach(out::println);
        return 0;
    }

    /** The table: header, dashes, one row per agent. */
    static List<String> lines(Map<String, String> env) {
        List<String> lines = new ArrayList<>();
        lines.add(row("AGENT", "STATUS", "API KEY"));
        lines.add("-".repeat(45));
        for (Agent agent : AGENTS) {
            lines.add(row(agent.name(), installed(agent.program(), env.get("PATH")) ? "installed" : "not installed",
                    agent.keys().stream().anyMatch(k -> env.get(k) != null && !env.get(k).isBlank()) ? "set" : "missing"));
        }
        return lines;
    }

    private static String row(String agent, String status, String key) {
        return String.format("%-16s%-16s%s", agent, status, key);
    }

    /** Whether an executable regular file {@code program} is in a directory of {@code path}. */
    static boolean installed(String program, String path) {
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator, -1)) {
            try {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return true;
                }
            } catch (InvalidPathException e) {
                // not a directory name: skip it
            }
        }
        return false;
    }
}
