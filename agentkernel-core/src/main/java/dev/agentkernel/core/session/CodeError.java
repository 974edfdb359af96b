package dev.agentkernel.core.session;

import java.util.Objects;

/**
 * Why a request of a stateful code session failed, as reported by the interpreter driver.
 *
 * @param type      the error's kind: the exception class for Python ({@code ValueError}), the
 *                  error name for Node ({@code TypeError}), {@code ExitStatus} for a nonzero status
 *                  in bash, and for every template {@code Timeout} (the request's time limit ran
 *                  out) or {@code Interrupted} (SIGINT)
 * @param message   the error's message (may be empty)
 * @param traceback the formatted traceback or stack without driver frames (may be empty)
 */
public record CodeError(String type, String message, String traceback) {

    /** Error type of a request that ran past its time limit. */
    public static final String TIMEOUT = "Timeout";
    /** Error type of a request aborted by SIGINT. */
    public static final String INTERRUPTED = "Interrupted";
    /** Error type of bash code whose last command had a nonzero status. */
    public static final String EXIT_STATUS = "ExitStatus";

    public CodeError {
        type = Objects.requireNonNullElse(type, "Error");
        message = Objects.requireNonNullElse(message, "");
        traceback = Objects.requireNonNullElse(traceback, "");
    }
}
