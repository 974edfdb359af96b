package dev.agentkernel.server;

import dev.agentkernel.core.run.RunService;

/**
 * The running HTTP API. {@link #close()} stops accepting connections, lets running requests
 * finish for a grace period, and returns; sandboxes of requests still running are killed
 * by their own clean-up when their connections close.
 */
public interface ApiServer extends AutoCloseable {

    /** The port it listens on (useful with port 0). */
    int port();

    /** Stops the server. Never throws. */
    @Override
    void close();

    /**
     * Starts the server on virtual threads.
     *
     * @throws dev.agentkernel.model.SandboxFailureException if the port cannot be bound
     */
    static ApiServer start(ServerConfig config, RunService runs) {
        return HelidonApiServer.start(config, runs);
    }
}
