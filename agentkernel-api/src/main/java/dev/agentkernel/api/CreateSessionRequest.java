package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code POST /sessions}: a new code session without running code.
 *
 * @param template python (default), node or bash
 * @param flavor   small, medium or large
 * @param volumes  host directories to mount, {@code HOST:SANDBOX[:ro|rw]}
 * @param fromSession a session whose {@code /workspace} the new one starts with (a copy of its files; not its
 *                 variables or imports); its template and flavor unless others are given
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CreateSessionRequest(String template, String flavor, List<String> volumes, String fromSession) {

    public CreateSessionRequest {
        template = Check.optionalText(template, "template");
        flavor = Check.optionalText(flavor, "flavor");
        volumes = Check.strings(volumes, "volumes");
        fromSession = Check.optionalText(fromSession, "from_session");
    }

    /** A new session from nothing. */
    public CreateSessionRequest(String template, String flavor, List<String> volumes) {
        this(template, flavor, volumes, null);
    }
}
