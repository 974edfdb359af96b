package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /tasks/ID/wait}.
 *
 * @param timeout the longest wait in seconds, 0 (just look) to {@link #MAX_SECONDS}; default 60
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WaitRequest(@com.fasterxml.jackson.databind.annotation.JsonSerialize(using = Seconds.class) Double timeout) {

    /** The longest a wait may block. */
    public static final long MAX_SECONDS = 600;

    public WaitRequest {
        if (timeout != null) {
            if (!(timeout >= 0) || timeout.isInfinite()) {
                throw Check.bad("timeout must be a number of seconds (0 or more), not " + timeout);
            }
            if (timeout > MAX_SECONDS) {
                throw Check.bad("timeout must be at most " + MAX_SECONDS + " seconds");
            }
        }
    }
}
