package dev.agentkernel.cli;

import java.util.List;
import java.util.SequencedMap;

/**
 * The MCP server {@code agentkernel mcp install} configures in a coding agent, before it is put in
 * that agent's format ({@link McpConfigFormat}).
 */
sealed interface McpServerEntry {

    /** The name of the entry in every agent's configuration. */
    String NAME = "agentkernel";

    /** Whether it carries the daemon's API key (then its file is kept private). */
    boolean carriesKey();

    /** The transport, as {@code agentkernel agents} shows it: {@code stdio} or {@code http}. */
    String transport();

    /**
     * {@code agentkernel mcp} started by the agent (the MCP stdio transport).
     *
     * @param command the agentkernel program (an absolute path)
     * @param args    its arguments: {@code mcp}, perhaps {@code --url URL}
     * @param env     variables it needs to find the daemon (its state directory when not the default)
     */
    record Stdio(String command, List<String> args, SequencedMap<String, String> env) implements McpServerEntry {
        /** Copies the lists. */
        public Stdio {
            args = List.copyOf(args);
            env = java.util.Collections.unmodifiableSequencedMap(new java.util.LinkedHashMap<>(env));
        }

        @Override
        public boolean carriesKey() {
            return false;
        }

        @Override
        public String transport() {
            return "stdio";
        }
    }

    /**
     * The daemon's {@code /mcp} (the MCP Streamable HTTP transport).
     *
     * @param url     e.g. {@code http://127.0.0.1:18888/mcp}
     * @param headers {@code X-API-Key} when the daemon wants a key
     */
    record Http(String url, SequencedMap<String, String> headers) implements McpServerEntry {
        /** Copies the headers. */
        public Http {
            headers = java.util.Collections.unmodifiableSequencedMap(new java.util.LinkedHashMap<>(headers));
        }

        @Override
        public boolean carriesKey() {
            return !headers.isEmpty();
        }

        @Override
        public String transport() {
            return "http";
        }
    }

    /** A map keeping the order of {@code keysAndValues} (k1, v1, k2, v2, ...). */
    static SequencedMap<String, String> ordered(String... keysAndValues) {
        SequencedMap<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
