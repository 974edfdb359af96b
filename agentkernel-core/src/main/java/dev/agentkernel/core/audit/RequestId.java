package dev.agentkernel.core.audit;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id of the HTTP request being served on this thread, carried from the server's filter to
 * whatever the request causes (audit events, log lines) as a {@link ScopedValue}: bound for the
 * duration of the request's handler on its own (virtual) thread. Work a request causes later on
 * other threads carries it through {@link #within}: a task's run (dispatched by the request) and
 * a background process's end (started by the request). Work no request causes (the warm pool's
 * starts, expiry, idle pausing, refusals of a sandbox's traffic) has none.
 */
public final class RequestId {

    /** The request id where a request is being served. */
    public static final ScopedValue<String> CURRENT = ScopedValue.newInstance();
    /** The HTTP header that carries it in both directions. */
    public static final String HEADER = "X-Request-Id";
    /** Longest id taken from a request. */
    public static final int MAX_LENGTH = 128;
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:+/=-]{1," + MAX_LENGTH + "}");

    private RequestId() {
    }

    /** The id of the request served on this thread, if any. */
    public static Optional<String> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get()) : Optional.empty();
    }

    /**
     * The request's own id when it is well-formed (1 to 128 characters of letters, digits and
     * {@code . _ : + / = -}: nothing that could break a log line or a header), else a new one.
     */
    public static String of(String incoming) {
        return incoming != null && WELL_FORMED.matcher(incoming).matches() ? incoming : generate();
    }

    /**
     * {@code work} run with {@code id} as the current request's id (when present): for work a
     * request causes on another thread, later; capture the id with {@link #current()} while the
     * request is served.
     */
    public static Runnable within(Optional<String> id, Runnable work) {
        return id.isEmpty() ? work : () -> ScopedValue.where(CURRENT, id.get()).run(work);
    }

    /** A new id: a random UUID. */
    public static String generate() {
        return UUID.randomUUID().toString();
    }
}
