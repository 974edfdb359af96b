package dev.agentkernel.core.config;

import dev.agentkernel.model.InvalidRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The AI coding agents a project can name as preferred in {@code [agent] preferred}. */
public enum AgentKind {
    /** Anthropic's Claude Code. */
    CLAUDE,
    /** Google's Gemini CLI. */
    GEMINI,
    /** OpenAI's Codex CLI. */
    CODEX,
    /** OpenCode. */
    OPENCODE;

    /** The lower-case name used in config files, e.g. {@code claude}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The accepted names, comma-separated in declaration order: {@code claude, gemini, codex, opencode}. */
    public static String acceptedIds() {
        return Arrays.stream(values()).map(AgentKind::id).collect(Collectors.joining(", "));
    }

    /**
     * Parses an agent name, case-insensitively, ignoring surrounding blanks.
     *
     * @throws InvalidRequestException naming the accepted agents if {@code text} is none of them
     */
    public static AgentKind parse(String text) {
        if (text != null) {
            for (AgentKind agent : values()) {
                if (agent.id().equalsIgnoreCase(text.strip())) {
                    return agent;
                }
            }
        }
        throw new InvalidRequestException("unknown agent '" + text + "': use one of " + acceptedIds());
    }
}
