package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * {@code GET /health}: {@code {"success": true, "data": "ok", "status": "ok"}} (the envelope the
 * published clients read, and the document's {@code status}).
 *
 * @param success always true
 * @param data    {@code ok}
 * @param status  {@code ok}
 */
@JsonPropertyOrder({"success", "data", "status"})
public record HealthBody(boolean success, String data, String status) {
    /** The only answer. */
    public static final HealthBody OK = new HealthBody(true, "ok", "ok");
}
