package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The error envelope, {@code {"success": false, "error": message, "code": kind}}, of every answer
 * that is not a success (the published clients read {@code error}).
 *
 * @param error the message, in words a person understands
 * @param code  the machine-readable kind
 */
@JsonPropertyOrder({"success", "error", "code"})
public record ErrorBody(String error, ErrorCode code) {

    /** For reading. */
    @JsonCreator
    public ErrorBody(@JsonProperty("error") String error, @JsonProperty("code") ErrorCode code) {
        this.error = error == null ? "" : error;
        this.code = code == null ? ErrorCode.INTERNAL : code;
    }

    /** Always {@code false}. */
    @JsonProperty("success")
    public boolean success() {
        return false;
    }
}
