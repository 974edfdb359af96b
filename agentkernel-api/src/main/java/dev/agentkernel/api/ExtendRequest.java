package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /sandboxes/NAME/extend}: more time for a sandbox that has a time to live.
 *
 * @param by how much longer it may live, from its current expiry (or from now, if that is past):
 *           {@code "30m"}, {@code "2h"}, {@code "1d"} ({@link Lifetime})
 */
public record ExtendRequest(@JsonProperty(required = true) String by) {

    public ExtendRequest {
        Check.required(by, "by", "{\"by\": \"1h\"}");
        Lifetime.parse(by, "by");
    }

    /** {@link #by} as a duration. */
    public java.time.Duration duration() {
        return Lifetime.parse(by, "by");
    }
}
