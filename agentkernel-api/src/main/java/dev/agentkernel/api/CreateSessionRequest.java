package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code POST /sessions}: a new code session without running code.
 *
 * @param template python (default), node or bash
 * @param flavor   small, medium or large
 * @param volumes  host directories to mount, {@code HOST:SANDBOX[:ro|rw]}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CreateSessionRequest(String template, String flavor, List<String> volumes) {

    public CreateSessionRequest {
        template = Check.optionalText(template, "template");
        flavor = Check.optionalText(flavor, "flavor");
        volumes = Check.strings(volumes, "volumes");
    }
}
