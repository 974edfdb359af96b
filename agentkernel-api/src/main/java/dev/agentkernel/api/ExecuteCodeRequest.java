package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code POST /execute} (and the MCP {@code execute_code}): code in a stateful session.
 *
 * @param code      the code
 * @param template  python (default), node or bash
 * @param sessionId the session to run it in (default: a new one)
 * @param flavor    small, medium or large (a new session's size)
 * @param timeout   the time limit in seconds
 * @param volumes   host directories to mount, {@code HOST:SANDBOX[:ro|rw]}
 * @param backend   the isolation backend of a new session: bwrap, runc, crun, gvisor, ... (default: the server's)
 * @param networkPolicy what a new session's network may reach ({@link NetworkRules}); only when a session is created
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ExecuteCodeRequest(@JsonProperty(required = true) String code, String template, String sessionId,
                                 String flavor, @com.fasterxml.jackson.databind.annotation.JsonSerialize(using = Seconds.class) Double timeout, List<String> volumes, String backend,
                                 NetworkRules networkPolicy) {

    /** A request without a network policy of its own. */
    public ExecuteCodeRequest(String code, String template, String sessionId, String flavor, Double timeout,
                              List<String> volumes, String backend) {
        this(code, template, sessionId, flavor, timeout, volumes, backend, null);
    }

    /** A request whose new session runs on the server's default backend. */
    public ExecuteCodeRequest(String code, String template, String sessionId, String flavor, Double timeout,
                              List<String> volumes) {
        this(code, template, sessionId, flavor, timeout, volumes, null);
    }

    public ExecuteCodeRequest {
        Check.required(code, "code", "{\"code\": \"print(1 + 1)\", \"template\": \"python\"}");
        template = Check.optionalText(template, "template");
        sessionId = Check.optionalText(sessionId, "session_id");
        flavor = Check.optionalText(flavor, "flavor");
        timeout = Check.timeout(timeout);
        volumes = Check.strings(volumes, "volumes");
        backend = Check.backend(backend);
    }
}
