package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Every machine-readable kind of error the API answers with ({@code "code"} of the error envelope,
 * the MCP error result's {@code code}), with the HTTP status it is sent with. A closed set: a client
 * that meets a code it does not know (a newer server) reads it as {@link #INTERNAL} through
 * {@link #fromWire(String)}.
 */
public enum ErrorCode {
    /** The request breaks the contract: a missing, mistyped or out-of-range field. */
    INVALID_REQUEST(400),
    /** No or a wrong API key. */
    UNAUTHORIZED(401),
    /** The caller may not do this (a host path outside what is allowed, ...). */
    PERMISSION_DENIED(403),
    /** The {@code Host} header is not a name of this daemon (DNS rebinding). */
    HOST_NOT_ALLOWED(403),
    /** A web page of another origin. */
    ORIGIN_NOT_ALLOWED(403),
    /** No such sandbox, task, file, interactive session, ... */
    NOT_FOUND(404),
    /** No such code session. */
    SESSION_NOT_FOUND(404),
    /** No route for this method and path. */
    NO_ROUTE(404),
    /** The thing exists but is in the wrong state, or the name is taken. */
    CONFLICT(409),
    /** The request body (or a file) is larger than the server accepts. */
    PAYLOAD_TOO_LARGE(413),
    /** The request body's {@code Content-Type} is not accepted on this route. */
    UNSUPPORTED_MEDIA_TYPE(415),
    /** A limit was reached (concurrent runs, sessions, memory); retry later. */
    RESOURCE_EXHAUSTED(429),
    /** The user's code failed in a way that is not its own result. */
    CODE_EXECUTION_FAILED(500),
    /** A sandbox could not be started or failed. */
    SANDBOX_FAILURE(500),
    /** Anything else; the server log has the details. */
    INTERNAL(500),
    /** A transfer encoding (or another HTTP feature) the server does not implement. */
    NOT_IMPLEMENTED(501),
    /** An image could not be pulled (its registry failed, refused or sent bad content) or stored. */
    IMAGE_UNAVAILABLE(502),
    /** No isolation backend works on this host. */
    BACKEND_UNAVAILABLE(503),
    /** The server is stopping; retry against the next one. */
    SHUTTING_DOWN(503),
    /** The daemon did not answer (only said by clients and by {@code agentkernel mcp}, which forward to it). */
    DAEMON_UNAVAILABLE(503),
    /** Only HTTP/1.1 is served. */
    HTTP_VERSION_NOT_SUPPORTED(505);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    /** The HTTP status this error is answered with. */
    public int status() {
        return status;
    }

    /** Its name on the wire, e.g. {@code invalid_request}. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a client may try the same request again later and hope for another answer. */
    public boolean retryable() {
        switch (this) {
            case RESOURCE_EXHAUSTED:
            case SHUTTING_DOWN:
            case BACKEND_UNAVAILABLE:
                return true;
            default:
                return false;
        }
    }

    /** The code of a wire name; {@link #INTERNAL} for a name this version does not know. */
    @JsonCreator
    public static ErrorCode fromWire(String wire) {
        if (wire == null) {
            return INTERNAL;
        }
        for (ErrorCode c : values()) {
            if (c.wire().equals(wire)) {
                return c;
            }
        }
        return INTERNAL;
    }
}
