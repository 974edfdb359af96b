package dev.agentkernel.image.oci;

/**
 * A manifest, index, configuration or layout is not what the OCI image specification says it
 * must be. Callers turn it into the project's error type with the image it came from.
 */
public final class OciFormatException extends RuntimeException {
    /** Creates the exception; the message says which field or part is wrong. */
    public OciFormatException(String message) {
        super(message);
    }

    /** Creates the exception with its cause (unparseable JSON). */
    public OciFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
