package dev.agentkernel.cli;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.mcp.McpMirror;
import dev.agentkernel.model.InvalidRequestException;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import java.io.FileInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel mcp}: an MCP server on stdin/stdout for MCP clients that start their servers
 * as processes (Claude Desktop, IDEs). It mirrors the daemon's {@code /mcp} ({@link McpMirror}):
 * the tools are the daemon's, every call is forwarded, so they are implemented once. Stdout
 * carries nothing but the protocol; diagnostics go to stderr. No daemon: one line, exit 69.
 */
final class McpCommand implements Subcommand {

    /** The longest one forwarded tool call may take (a task or a command runs up to its own timeout). */
    static final Duration CALL_TIMEOUT = Duration.ofHours(2);
    /** The SDK logs each handshake at INFO (to stderr); only its warnings matter here. Held strongly. */
    private static final java.util.logging.Logger SDK_LOG = java.util.logging.Logger.getLogger("io.modelcontextprotocol");

    @Override
    public String name() {
        return "mcp";
    }

    @Override
    public String usage() {
        return "[--url URL] | install AGENT [--http] [--project] [--print] [--force] [--url URL]";
    }

    @Override
    public Arguments arguments() {
        return Arguments.WORDS;
    }

    @Override
    public List<String> words() {
        return List.of("install");
    }

    @Override
    public String summary() {
        return "Serve the daemon's MCP tools on stdin/stdout (for MCP clients)";
    }

    @Override
    public List<String> description() {
        return List.of("Serve AgentKernel's MCP tools (background tasks, code sessions, sandboxes, tool discovery, images)",
                "over the MCP stdio transport, for MCP clients that start their servers as processes. The tools are the",
                "daemon's: this process connects to its /mcp endpoint and forwards every call, so the daemon must run",
                "('agentkernel daemon start'). Stdout carries only the protocol; messages go to stderr. MCP clients",
                "that speak Streamable HTTP can use the daemon directly at http://HOST:PORT/mcp (same API key).",
                "",
                "Claude Desktop (claude_desktop_config.json):",
                "  {\"mcpServers\": {\"agentkernel\": {\"command\": \"/path/to/agentkernel\", \"args\": [\"mcp\"],",
                "                   \"env\": {\"AGENTKERNEL_API_KEY\": \"KEY of a daemon on another machine\"}}}}",
                "",
                "install AGENT: configure a coding agent to use this server, AGENT one of claude, codex, gemini, opencode:",
                "  claude    ~/.claude.json (--project: .mcp.json)",
                "  codex     ~/.codex/config.toml (--project: .codex/config.toml)",
                "  gemini    ~/.gemini/settings.json (--project: .gemini/settings.json)",
                "  opencode  ~/.config/opencode/opencode.json (--project: opencode.json)",
                "The file is merged (the agent's other settings stay) after a copy to FILE.bak; running it again changes",
                "nothing; a different 'agentkernel' entry is replaced only with --force. The entry starts 'agentkernel mcp'",
                "(stdio), or with --http names the daemon's /mcp and its API key (from AGENTKERNEL_API_KEY or the daemon's",
                "key file). 'agentkernel agents' shows which agents are configured.",
                "",
                DaemonClientCommand.FINDING);
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("url").hasArg().argName("URL")
                .desc("The daemon's URL (overrides AGENTKERNEL_BASE_URL and the daemon 'daemon start' started)").get());
        o.addOption(Option.builder().longOpt("http")
                .desc("install: the daemon's /mcp over HTTP with its API key, instead of 'agentkernel mcp' (stdio)").get());
        o.addOption(Option.builder().longOpt("project")
                .desc("install: the agent's file of the project in the current directory, not the user's").get());
        o.addOption(Option.builder().longOpt("print").desc("install: print the configuration instead of writing it").get());
        o.addOption(Option.builder().longOpt("force")
                .desc("install: replace an 'agentkernel' entry that differs").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel mcp",
                "agentkernel mcp --url http://127.0.0.1:18888",
                "agentkernel mcp install claude",
                "agentkernel mcp install codex --http",
                "agentkernel mcp install gemini --project --print",
                "npx @modelcontextprotocol/inspector --cli agentkernel mcp --method tools/list");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        List<String> words = args.getArgList();
        if (!words.isEmpty() && words.getFirst().equals("install")) {
            return install(args, out, err);
        }
        DaemonClientCommand.noArguments(args, name());
        for (String option : INSTALL_ONLY) {
            if (args.hasOption(option)) {
                throw new InvalidRequestException("--" + option + " goes with 'mcp install AGENT'");
            }
        }
        SDK_LOG.setLevel(java.util.logging.Level.WARNING);
        DaemonEndpoint daemon = DaemonEndpoint.resolve(args.getOptionValue("url"), System.getenv(),
                HostContext.current().stateDir().toAbsolutePath());
        McpMirror mirror;
        try {
            mirror = McpMirror.connect(daemon.url(), daemon.apiKey(), CALL_TIMEOUT);
        } catch (RuntimeException e) {
            throw failure(daemon, e);
        }
        try (mirror) {
            err.println("agentkernel: serving " + mirror.tools().size() + " MCP tools of the daemon at " + daemon.url()
                    + " on stdin/stdout");
            err.flush();
            InputStream in = new FileInputStream(FileDescriptor.in);
            OutputStream stdout = new FileOutputStream(FileDescriptor.out);
            mirror.serve(in, stdout);
        }
        return 0;
    }

    /** The options of {@code mcp install} only. */
    private static final List<String> INSTALL_ONLY = List.of("http", "project", "print", "force");

    private static int install(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        List<String> words = args.getArgList();
        if (words.size() < 2) {
            throw new InvalidRequestException("'mcp install' needs an agent: claude, codex, gemini or opencode, e.g. "
                    + "'agentkernel mcp install claude'");
        }
        if (words.size() > 2) {
            throw new InvalidRequestException("unexpected argument '" + words.get(2) + "': 'mcp install' takes one agent");
        }
        McpInstall.Request request = new McpInstall.Request(CodingAgent.named(words.get(1)), args.hasOption("http"),
                args.hasOption("project") ? Optional.of(Path.of("").toAbsolutePath()) : Optional.empty(),
                args.hasOption("print"), args.hasOption("force"), args.getOptionValue("url"));
        return McpInstall.run(request, System.getenv(), HostContext.current().stateDir().toAbsolutePath(), out, err);
    }

    /** Why the daemon could not be used, as the error {@link ExitCodes} reports. */
    static RuntimeException failure(DaemonEndpoint daemon, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof McpHttpClientTransportAuthorizationException) {
                return new dev.agentkernel.client.AuthenticationException("the AgentKernel daemon at " + daemon.url()
                        + " refused the API key");
            }
        }
        if (DaemonUnavailableException.refused(e)) {
            return DaemonUnavailableException.of(daemon.url(), e);
        }
        return DaemonUnavailableException.unusable("the AgentKernel daemon at " + daemon.url()
                + " did not open an MCP session at /mcp (" + rootMessage(e) + "); is it an older daemon without MCP?", e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
