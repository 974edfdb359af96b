package dev.agentkernel.core.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Objects;

/**
 * One request to an interpreter driver: run {@code code} in the session's persistent state.
 *
 * @param id      the request's id, echoed in the answer
 * @param code    the source code to run (any size, any Unicode, multi-line)
 * @param timeout how long the driver lets the code run before aborting it with a
 *                {@code Timeout} error, or {@code null} for no limit
 */
public record DriverRequest(long id, String code, Duration timeout) {

    public DriverRequest {
        Objects.requireNonNull(code, "code");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /**
     * The request as one compact JSON line without the newline. Members are written in the
     * order {@code id}, {@code timeout_ms}, {@code code}: the bash driver relies on
     * {@code code} being last.
     */
    public String toJson() {
        ObjectNode members = DriverConnection.JSON.createObjectNode();
        members.put("id", id);
        if (timeout != null) {
            members.put("timeout_ms", Math.max(1L, timeout.toMillis()));
        }
        members.put("code", code);
        return members.toString();
    }
}
