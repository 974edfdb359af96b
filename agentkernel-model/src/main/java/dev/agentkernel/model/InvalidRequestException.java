package dev.agentkernel.model;

/** The caller asked for something invalid (bad option, bad name, bad limit); fixing the request fixes it. */
public final class InvalidRequestException extends AgentKernelException {
    /** Creates the exception; the message names the bad input and what is accepted. */
    public InvalidRequestException(String message) {
        super(message);
    }
}
