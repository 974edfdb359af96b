package dev.agentkernel.image.registry;

/**
 * A registry could not be used: unreachable, an unexpected answer, a refused login. The
 * message names the registry and its answer; {@link #status()} is the HTTP status, or 0.
 */
public final class RegistryException extends RuntimeException {
    private final int status;

    /** An error without HTTP status. */
    public RegistryException(String message) {
        this(message, 0, null);
    }

    /** An error without HTTP status, with its cause. */
    public RegistryException(String message, Throwable cause) {
        this(message, 0, cause);
    }

    /** An error from an HTTP answer. */
    public RegistryException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status of the registry's answer, 0 when there was none. */
    public int status() {
        return status;
    }
}
