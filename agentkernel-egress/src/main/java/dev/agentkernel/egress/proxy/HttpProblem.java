package dev.agentkernel.egress.proxy;

import java.io.IOException;

/**
 * A request the proxy cannot forward, with the HTTP status and the text the client is answered
 * with. Never carries a header value or a body (a secret could be in it).
 */
final class HttpProblem extends IOException {

    private final int status;

    HttpProblem(int status, String message) {
        super(message, null);
        this.status = status;
    }

    /** The status to answer with. */
    int status() {
        return status;
    }
}
