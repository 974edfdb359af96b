package dev.agentkernel.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Answers for the requests Helidon refuses before any route or filter runs (a request line or
 * headers it cannot parse, HTTP/1.0, a Content-Length that is not a number, a bad chunk size):
 * the API's JSON envelope instead of an empty body, and the connection closed. Package-private.
 */
final class DirectErrors {

    private DirectErrors() {
    }

    static DirectHandlers handlers() {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, DirectErrors::handle);
        }
        return builder.build();
    }

    private static DirectHandler.TransportResponse handle(DirectHandler.TransportRequest request, DirectHandler.EventType type,
                                                          Status status, ServerResponseHeaders headers, String message) {
        headers.set(HeaderNames.CONTENT_TYPE, "application/json");
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(false)
                .entity(Json.error(message(type, status, message), code(status)))
                .build();
    }

    static String message(DirectHandler.EventType type, Status status, String helidon) {
        if (type == DirectHandler.EventType.HTTP_VERSION_NOT_SUPPORTED || status.code() == 505) {
            return "only HTTP/1.1 is served: send the request as HTTP/1.1 with a Host header";
        }
        boolean specific = helidon != null && !helidon.isBlank() && !helidon.contains("server log")
                && !helidon.contains("Exception") && helidon.length() < 300;
        String detail = specific ? ": " + helidon.replaceAll("[^\\x20-\\x7e]", "?") : "";
        return switch (status.code()) {
            case 400 -> "malformed HTTP request" + (specific ? detail : " (request line, headers or body framing)");
            case 413 -> "request body is larger than the server accepts";
            case 431 -> "request headers are too large";
            case 414 -> "request line is too long";
            case 503 -> "the server is busy; retry";
            default -> status.code() >= 500 ? "internal error; the server log has the details"
                    : "the request cannot be served" + detail;
        };
    }

    private static String code(Status status) {
        return switch (status.code()) {
            case 400 -> "invalid_request";
            case 413 -> "payload_too_large";
            case 505 -> "http_version_not_supported";
            case 503 -> "shutting_down";
            default -> status.code() >= 500 ? "internal" : "invalid_request";
        };
    }
}
