package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of {@code POST /sandboxes/NAME/extend}.
 *
 * @param name      the sandbox
 * @param expiresAt when it will be removed now (ISO-8601, seconds); absent for a sandbox without a
 *                  time to live, which is not removed by time at all and stays so
 */
public record SandboxExtended(String name, @JsonInclude(JsonInclude.Include.NON_NULL) String expiresAt) {
}
