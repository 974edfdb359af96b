package dev.agentkernel.mcp;

import dev.agentkernel.api.CodeResult;
import dev.agentkernel.api.SessionDeleted;
import dev.agentkernel.api.SessionList;
import dev.agentkernel.api.ToolSearchResult;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.core.session.ExecuteRequest;
import dev.agentkernel.core.session.ExecuteResult;
import dev.agentkernel.core.session.Flavor;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.session.SessionInfo;
import dev.agentkernel.core.session.SessionManager;
import dev.agentkernel.core.session.VolumeMapping;
import dev.agentkernel.core.tools.ToolLibraries;
import dev.agentkernel.core.tools.ToolLibrary;
import dev.agentkernel.mcp.ToolDefinition.Effect;
import dev.agentkernel.model.InvalidRequestException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Code sessions ({@code execute_code}, {@code list_sessions}, {@code stop_session}) and {@code search_tools}. Package-private. */
final class SessionTools {

    /** The longest one execution may run. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    private final SessionManager sessions;
    private final ToolLibraries tools;
    private final Clock clock;

    SessionTools(SessionManager sessions, ToolLibraries tools, Clock clock) {
        this.sessions = sessions;
        this.tools = tools;
        this.clock = clock;
    }

    List<ToolDefinition> definitions() {
        return List.of(execute(), list(), stop(), search());
    }

    private ToolDefinition execute() {
        return new ToolDefinition("execute_code", "Execute code in a session",
                "Run code in a stateful interpreter session (Python, Node.js or bash) that keeps variables, "
                        + "functions, imports and files between calls. Without session_id a new session is created; "
                        + "pass the returned session_id to continue in it. A final expression's value is printed, as "
                        + "in a REPL. Code that raises is an error result that still carries the session_id, stdout, "
                        + "stderr and the error (type, message, traceback).",
                Schema.object()
                        .string("code", "The code to run, e.g. \"x = 42\" then \"x * 2\"", true)
                        .choice("template", "The interpreter of a new session: python (default), node or bash",
                                List.of("python", "node", "bash"), null)
                        .string("session_id", "Run in this existing session; leave out to create a new one", false)
                        .choice("flavor", "The size of a new session: small (1 CPU, 1 GB), medium (2 CPUs, 2 GB) or "
                                + "large (4 CPUs, 4 GB)", List.of("small", "medium", "large"), null)
                        .number("timeout", "Seconds this execution may run (default 30, at most 3600)", false)
                        .strings("volumes", "Host directories for a new session, as \"host:sandbox[:ro]\", e.g. "
                                + "[\"/srv/data:/data:ro\"]; the host path must be under an allowed directory", false),
                CodeResult.class,
                Effect.ADDS,
                args -> {
                    ExecuteResult result = sessions.execute(request(args));
                    CodeResult data = WireViews.executeResult(result);
                    if (!result.success()) {
                        String type = result.error() == null ? "Error" : result.error().type();
                        String message = result.error() == null ? "" : result.error().message();
                        return Results.failed(type + (message.isEmpty() ? "" : ": " + message), data);
                    }
                    return Results.ok(data);
                });
    }

    static ExecuteRequest request(Arguments args) {
        String code = args.requiredString("code", "{\"code\": \"print(1 + 1)\", \"template\": \"python\"}");
        Optional<InterpreterTemplate> template = args.optionalString("template").map(t -> {
            try {
                return InterpreterTemplate.fromName(t);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
        });
        Optional<String> sessionId = args.optionalString("session_id");
        Optional<Flavor> flavor = args.optionalString("flavor").map(Flavor::fromName);
        Optional<Duration> timeout = args.seconds("timeout", MAX_TIMEOUT);
        List<VolumeMapping> volumes = args.strings("volumes", "[\"/srv/data:/data:ro\"]").stream()
                .map(VolumeMapping::parse).toList();
        return new ExecuteRequest(code, template, sessionId, flavor, timeout, volumes);
    }

    private ToolDefinition list() {
        return new ToolDefinition("list_sessions", "List code sessions",
                "List the open code sessions (oldest first) with their template, flavor, state (ready or busy), "
                        + "number of executions, age and idle time.",
                Schema.object(),
                SessionList.class,
                Effect.READS,
                args -> {
                    Instant now = clock.instant();
                    return Results.ok(new SessionList(sessions.list().stream().map(s -> WireViews.session(s, now))
                            .toList()));
                });
    }

    private ToolDefinition stop() {
        return new ToolDefinition("stop_session", "Stop a code session",
                "Stop a code session: its interpreter ends and its sandbox and files are removed.",
                Schema.object().string("session_id", "The session to stop", true),
                SessionDeleted.class,
                Effect.DESTROYS,
                args -> {
                    String id = args.requiredString("session_id", "{\"session_id\": \"ses-3f9c2a61d0b84e7f\"}");
                    sessions.delete(id);
                    return Results.ok(new SessionDeleted(id, true));
                });
    }

    private ToolDefinition search() {
        return new ToolDefinition("search_tools", "Search tool libraries",
                "Discover the tool libraries that tasks and sessions can import from /tools: each library's "
                        + "name, language, description and functions (signature and description). The query's words "
                        + "must all appear in a library's name, description or functions; an empty query lists all.",
                Schema.object().string("query", "Words to look for, e.g. \"stock price\"; empty or left out: all", false),
                ToolSearchResult.class,
                Effect.READS,
                args -> {
                    return Results.ok(WireViews.tools(tools.dir(), tools.search(args.text("query", ""))));
                });
    }

}
