package dev.agentkernel.api;

import java.util.Objects;

/**
 * A request that breaks the wire contract, found by a record's own validation or while its JSON
 * was read: a missing field, a wrong type, a value out of range. The server answers it with
 * {@link ErrorCode#status()} of its code (400 for {@link ErrorCode#INVALID_REQUEST}), the SDK throws
 * it before anything is sent. The message says what to send instead.
 */
public final class BadRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    /** A request refused with {@code code}. */
    public BadRequestException(ErrorCode code, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.code = Objects.requireNonNull(code, "code");
    }

    /** An {@link ErrorCode#INVALID_REQUEST}. */
    public BadRequestException(String message) {
        this(ErrorCode.INVALID_REQUEST, message);
    }

    /** The kind of error. */
    public ErrorCode code() {
        return code;
    }
}
