package dev.agentkernel.server;


/**
 * The running HTTP API. {@link #close()} stops accepting connections, lets running requests
 * finish for a grace period, and returns; sandboxes of requests still running are killed
 * by their own clean-up when their connections close.
 */
public interface ApiServer extends AutoCloseable {

    /** The port it listens on (useful with port 0). */
    int port();

    /**
     * Turns new requests away (503) and waits up to {@code grace} for running ones to finish.
     *
     * @return whether all finished
     */
    boolean drain(java.time.Duration grace);

    /** Stops the server; requests still running lose their connections. Never throws. */
    @Override
    void close();

    /**
     * Starts the server on virtual threads.
     *
     * @throws dev.agentkernel.model.SandboxFailureException if the port cannot be bound
     */
    static ApiServer start(ServerConfig config, ApiServices services) {
        return HelidonApiServer.start(config, services);
    }
}
