package dev.agentkernel.image.store;

/** Content does not match the digest (or size) that named it; nothing of it was stored. */
public final class DigestMismatchException extends RuntimeException {
    /** Creates the exception; the message names the blob, the expected and the actual digest. */
    public DigestMismatchException(String message) {
        super(message);
    }
}
