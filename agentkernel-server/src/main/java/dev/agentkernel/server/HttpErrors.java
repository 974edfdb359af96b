package dev.agentkernel.server;

import dev.agentkernel.api.ErrorCode;
import dev.agentkernel.core.wire.ErrorCodes;

/**
 * The one place that maps errors to HTTP answers: the {@link ErrorCode} comes from
 * {@link ErrorCodes} (one mapping for HTTP and MCP), the status from the code. Package-private.
 */
final class HttpErrors {
    private HttpErrors() {
    }

    /** The code of {@code e}, including the HTTP layer's own errors. */
    static ErrorCode code(Throwable e) {
        if (e instanceof PayloadTooLargeException) {
            return ErrorCode.PAYLOAD_TOO_LARGE;
        }
        if (e instanceof MalformedBodyException) {
            return ErrorCode.INVALID_REQUEST;
        }
        return ErrorCodes.of(e);
    }

    static int status(Throwable e) {
        return code(e).status();
    }

    /** An interruption: the server is stopping and the request's work was cut short. */
    static boolean isShutdown(Throwable e) {
        return ErrorCodes.isShutdown(e);
    }

    static String message(Throwable e) {
        if (ErrorCodes.hasCallerMessage(e) || e instanceof PayloadTooLargeException || e instanceof MalformedBodyException) {
            return e.getMessage();
        }
        if (isShutdown(e)) {
            return "the server is shutting down; the command was stopped";
        }
        return "internal error; the server log has the details";
    }

    /** A request body over the configured limit. */
    static final class PayloadTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PayloadTooLargeException(long limit) {
            super("request body is larger than the limit of " + limit + " bytes");
        }

        PayloadTooLargeException(String message) {
            super(message);
        }
    }

    /**
     * A request body that cannot be read to its end (truncated, a bad chunk size): the connection
     * cannot carry another request, so the answer closes it.
     */
    static final class MalformedBodyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedBodyException(String message) {
            super(message);
        }
    }
}
