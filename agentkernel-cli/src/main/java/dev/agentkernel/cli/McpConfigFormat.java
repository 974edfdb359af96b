package dev.agentkernel.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.agentkernel.model.InvalidRequestException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How one coding agent keeps its MCP servers, and how {@code agentkernel mcp install} edits that
 * file: it reads the file, sets the {@value McpServerEntry#NAME} entry and leaves everything else
 * as it was. Every edit is checked by reading the result back ({@link #others}): a file whose
 * other settings would change is refused, never written.
 */
sealed interface McpConfigFormat {

    /** The entry as the agent stores it, as a tree (what an existing entry is compared with). */
    JsonNode tree(McpServerEntry entry);

    /** The {@value McpServerEntry#NAME} entry of a file's text; empty when it has none (or the text is empty). */
    Optional<JsonNode> current(String text, Path file);

    /** The file's text with the entry set: the other settings kept. */
    String merged(String text, McpServerEntry entry, Path file);

    /** Everything the file says but the {@value McpServerEntry#NAME} entry (to check that a merge kept it). */
    JsonNode others(String text, Path file);

    /** {@code stdio}, {@code http} or {@code other}: the transport of an entry as this agent stores it. */
    String transportOf(JsonNode entry);

    /** A file that cannot be edited safely. */
    static InvalidRequestException unreadable(Path file, String why) {
        return new InvalidRequestException("cannot read " + file + " (" + why + "): fix it or move it away, or print the "
                + "configuration with --print and add it by hand");
    }

    /**
     * The JSON files: Claude Code, Gemini CLI and opencode. The text is parsed and written with
     * Jackson (keys keep their order; the file is written indented).
     */
    enum Json implements McpConfigFormat {
        /**
         * Claude Code: {@code ~/.claude.json} (user scope) and a project's {@code .mcp.json}, both
         * {@code {"mcpServers": {NAME: {"type": "stdio", "command", "args", "env"}}}} or
         * {@code {"type": "http", "url", "headers"}} (code.claude.com/docs/en/mcp: "Project scope",
         * "Add a remote HTTP server"; the Claude Agent SDK's MCP page shows the same entries).
         */
        CLAUDE,
        /**
         * Gemini CLI: {@code ~/.gemini/settings.json} or a project's {@code .gemini/settings.json},
         * {@code {"mcpServers": {NAME: {"command", "args", "env"}}}} or
         * {@code {"httpUrl", "headers"}} for Streamable HTTP ({@code url} would be SSE)
         * (google-gemini/gemini-cli docs/tools/mcp-server.md: "Configuration structure", "HTTP-based").
         */
        GEMINI,
        /**
         * opencode: {@code ~/.config/opencode/opencode.json} or a project's {@code opencode.json},
         * {@code {"mcp": {NAME: {"type": "local", "command": [CMD, ARGS...], "environment", "enabled"}}}}
         * or {@code {"type": "remote", "url", "headers", "enabled"}} (opencode.ai/docs/mcp-servers:
         * "Local", "Remote"). A file laid out for opencode 2 ({@code "mcp": {"servers": {...}}}) gets the
         * entry under {@code servers}. A new file names the schema ({@code https://opencode.ai/config.json}).
         */
        OPENCODE;

        private static final ObjectMapper STRICT = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
        private static final ObjectMapper LENIENT = JsonMapper.builder()
                .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_TRAILING_COMMA).build();
        private static final ObjectMapper WRITER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

        @Override
        public JsonNode tree(McpServerEntry entry) {
            ObjectNode node = NODES.objectNode();
            switch (this) {
                case CLAUDE -> {
                    switch (entry) {
                        case McpServerEntry.Stdio s -> {
                            node.put("type", "stdio").put("command", s.command());
                            strings(node.putArray("args"), s.args());
                            map(node, "env", s.env());
                        }
                        case McpServerEntry.Http h -> {
                            node.put("type", "http").put("url", h.url());
                            map(node, "headers", h.headers());
                        }
                    }
                }
                case GEMINI -> {
                    switch (entry) {
                        case McpServerEntry.Stdio s -> {
                            node.put("command", s.command());
                            strings(node.putArray("args"), s.args());
                            map(node, "env", s.env());
                        }
                        case McpServerEntry.Http h -> {
                            node.put("httpUrl", h.url());
                            map(node, "headers", h.headers());
                        }
                    }
                }
                case OPENCODE -> {
                    switch (entry) {
                        case McpServerEntry.Stdio s -> {
                            node.put("type", "local");
                            ArrayNode command = node.putArray("command").add(s.command());
                            strings(command, s.args());
                            map(node, "environment", s.env());
                        }
                        case McpServerEntry.Http h -> {
                            node.put("type", "remote").put("url", h.url());
                            map(node, "headers", h.headers());
                        }
                    }
                    node.put("enabled", true);
                }
            }
            return node;
        }

        private static void strings(ArrayNode array, List<String> values) {
            values.forEach(array::add);
        }

        private static void map(ObjectNode node, String field, Map<String, String> values) {
            if (!values.isEmpty()) {
                ObjectNode object = node.putObject(field);
                values.forEach(object::put);
            }
        }

        @Override
        public Optional<JsonNode> current(String text, Path file) {
            ObjectNode root = parse(text, file);
            return container(root, false).map(c -> c.get(McpServerEntry.NAME));
        }

        @Override
        public String merged(String text, McpServerEntry entry, Path file) {
            ObjectNode root = parse(text, file);
            if (root.isEmpty() && this == OPENCODE) {
                root.put("$schema", "https://opencode.ai/config.json");
            }
            container(root, true).orElseThrow().set(McpServerEntry.NAME, tree(entry));
            try {
                return WRITER.writeValueAsString(root) + "\n";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON tree could not be written", e);
            }
        }

        @Override
        public JsonNode others(String text, Path file) {
            ObjectNode root = parse(text, file);
            Optional<ObjectNode> container = container(root, false);
            container.ifPresent(c -> c.remove(McpServerEntry.NAME));
            String top = this == OPENCODE ? "mcp" : "mcpServers";
            if (root.get(top) instanceof ObjectNode servers && servers.isEmpty()) {
                root.remove(top); // created for the entry
            }
            return root;
        }

        @Override
        public String transportOf(JsonNode entry) {
            String type = entry.path("type").asText("");
            if (entry.has("url") || entry.has("httpUrl") || type.equals("http") || type.equals("remote")
                    || type.equals("sse")) {
                return "http";
            }
            return entry.has("command") ? "stdio" : "other";
        }

        /** The object holding the servers: {@code mcpServers}, or opencode's {@code mcp} (or {@code mcp.servers}). */
        private Optional<ObjectNode> container(ObjectNode root, boolean create) {
            String top = this == OPENCODE ? "mcp" : "mcpServers";
            JsonNode node = root.get(top);
            if (node == null || node.isNull()) {
                return create ? Optional.of(root.putObject(top)) : Optional.empty();
            }
            if (!(node instanceof ObjectNode object)) {
                throw new InvalidRequestException("'" + top + "' is not an object in this file: fix it or move it away");
            }
            if (this == OPENCODE && object.get("servers") instanceof ObjectNode servers && !servers.has("type")) {
                return Optional.of(servers);
            }
            return Optional.of(object);
        }

        /** The file's object ({@code {}} for an empty file); comments are refused, since writing would lose them. */
        private static ObjectNode parse(String text, Path file) {
            if (text.isBlank()) {
                return NODES.objectNode();
            }
            JsonNode root;
            try {
                root = STRICT.readTree(text);
            } catch (JsonProcessingException e) {
                boolean lenient;
                try {
                    LENIENT.readTree(text);
                    lenient = true;
                } catch (JsonProcessingException again) {
                    lenient = false;
                }
                throw unreadable(file, lenient ? "it has comments or trailing commas, which rewriting it would lose"
                        : "not valid JSON: " + e.getOriginalMessage());
            }
            if (!(root instanceof ObjectNode object)) {
                throw unreadable(file, "not a JSON object");
            }
            return object;
        }
    }

    /**
     * Codex: {@code ~/.codex/config.toml} ({@code CODEX_HOME}) or a trusted project's
     * {@code .codex/config.toml}, a table {@code [mcp_servers.NAME]} with {@code command},
     * {@code args}, {@code env} (stdio) or {@code url} and {@code http_headers} (Streamable HTTP;
     * a {@code headers} key would be ignored) (developers.openai.com/codex/mcp; the key names
     * checked against codex-rs/config/src/mcp_types.rs as quoted by the skillsaw rule
     * "codex-mcp-headers"). The table is written as text, so that the rest of the file (comments,
     * layout) stays as it was; the result is parsed again with Jackson's TOML parser and refused
     * if anything else changed (e.g. an entry written as dotted keys elsewhere in the file).
     */
    record Toml() implements McpConfigFormat {

        private static final TomlMapper TOML = new TomlMapper();
        /** {@code [mcp_servers.agentkernel]} and its sub-tables ({@code [mcp_servers.agentkernel.env]}), quoted or not. */
        private static final Pattern OUR_TABLE = Pattern.compile(
                "^\\s*\\[\\s*mcp_servers\\s*\\.\\s*(\"agentkernel\"|'agentkernel'|agentkernel)\\s*(\\]|\\.).*");
        private static final Pattern ANY_TABLE = Pattern.compile("^\\s*\\[.*");

        @Override
        public JsonNode tree(McpServerEntry entry) {
            return parse(table(entry), Path.of("(generated)")).path("mcp_servers").path(McpServerEntry.NAME);
        }

        /** The table's text, ending with a newline. */
        static String table(McpServerEntry entry) {
            StringBuilder text = new StringBuilder("[mcp_servers." + McpServerEntry.NAME + "]\n");
            switch (entry) {
                case McpServerEntry.Stdio s -> {
                    text.append("command = ").append(string(s.command())).append('\n');
                    text.append("args = [").append(String.join(", ", s.args().stream().map(Toml::string).toList()))
                            .append("]\n");
                    if (!s.env().isEmpty()) {
                        text.append("env = ").append(inline(s.env())).append('\n');
                    }
                }
                case McpServerEntry.Http h -> {
                    text.append("url = ").append(string(h.url())).append('\n');
                    if (!h.headers().isEmpty()) {
                        text.append("http_headers = ").append(inline(h.headers())).append('\n');
                    }
                }
            }
            return text.toString();
        }

        private static String inline(Map<String, String> values) {
            List<String> pairs = new ArrayList<>();
            values.forEach((k, v) -> pairs.add(string(k) + " = " + string(v)));
            return "{ " + String.join(", ", pairs) + " }";
        }

        /** A TOML basic string. */
        static String string(String value) {
            StringBuilder out = new StringBuilder("\"");
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\t' -> out.append("\\t");
                    case '\r' -> out.append("\\r");
                    default -> {
                        if (c < 0x20 || c == 0x7f) {
                            out.append(String.format("\\u%04X", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }

        @Override
        public Optional<JsonNode> current(String text, Path file) {
            JsonNode entry = parse(text, file).path("mcp_servers").path(McpServerEntry.NAME);
            return entry.isMissingNode() ? Optional.empty() : Optional.of(entry);
        }

        @Override
        public String merged(String text, McpServerEntry entry, Path file) {
            parse(text, file); // refuses a file it cannot read before touching it
            List<String> lines = new ArrayList<>(text.lines().toList());
            int start = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (OUR_TABLE.matcher(lines.get(i)).matches()) {
                    start = i;
                    break;
                }
            }
            List<String> table = table(entry).lines().toList();
            if (start < 0) {
                StringBuilder out = new StringBuilder(text);
                if (!text.isEmpty() && !text.endsWith("\n")) {
                    out.append('\n');
                }
                if (!text.isBlank()) {
                    out.append('\n');
                }
                return out.append(table(entry)).toString();
            }
            int end = start + 1;
            while (end < lines.size() && !(ANY_TABLE.matcher(lines.get(end)).matches()
                    && !OUR_TABLE.matcher(lines.get(end)).matches())) {
                end++;
            }
            boolean more = end < lines.size();
            List<String> replaced = new ArrayList<>(lines.subList(0, start));
            replaced.addAll(table);
            if (more) {
                replaced.add("");
                replaced.addAll(lines.subList(end, lines.size()));
            }
            return String.join("\n", replaced) + "\n";
        }

        @Override
        public JsonNode others(String text, Path file) {
            JsonNode root = parse(text, file);
            if (root.get("mcp_servers") instanceof ObjectNode servers) {
                servers.remove(McpServerEntry.NAME);
                if (servers.isEmpty()) {
                    ((ObjectNode) root).remove("mcp_servers");
                }
            }
            return root;
        }

        @Override
        public String transportOf(JsonNode entry) {
            return entry.has("url") ? "http" : entry.has("command") ? "stdio" : "other";
        }

        private static JsonNode parse(String text, Path file) {
            if (text.isBlank()) {
                return JsonNodeFactory.instance.objectNode();
            }
            try {
                return TOML.readTree(text);
            } catch (java.io.IOException e) {
                throw unreadable(file, "not valid TOML: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
    }
}
