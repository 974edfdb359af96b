package dev.agentkernel.client;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A code session owned by the caller of {@link AsyncAgentKernel#codeSession(CodeOptions)}: the
 * asynchronous form of {@link CodeSession}. Its executions run one at a time, in the order they
 * were called, so {@code execute("x = 1")} then {@code execute("x")} sees {@code x} without
 * waiting in between. Delete it with {@link #closeAsync()} (after the executions called before),
 * with {@link #close()} (which waits), or let {@link AsyncAgentKernel#withCodeSession} do it.
 * Thread-safe.
 */
public interface AsyncCodeSession extends AutoCloseable {

    /**
     * As {@link CodeSession#id()}.
     *
     * @return its id, or empty before the first execute created it
     */
    Optional<String> id();

    /**
     * As {@link CodeSession#execute(String)}, after the executions called before it.
     *
     * @param code the code
     * @return what it printed and whether it raised
     */
    CompletableFuture<CodeResult> execute(String code);

    /**
     * As {@link CodeSession#execute(String, Duration)}, after the executions called before it.
     *
     * @param code    the code
     * @param timeout this execution's limit
     * @return what it printed and whether it raised
     */
    CompletableFuture<CodeResult> execute(String code, Duration timeout);

    /**
     * As {@link CodeSession#info()}.
     *
     * @return its current description
     */
    CompletableFuture<SessionInfo> info();

    /**
     * Deletes the session once the executions called before have ended. Idempotent; a session
     * already gone is not an error.
     *
     * @return completes when it is deleted
     */
    CompletableFuture<Void> closeAsync();

    /**
     * Deletes the session on the calling thread and waits for it, without waiting for
     * executions still queued (they fail). Idempotent.
     *
     * @throws AgentKernelException if the server cannot delete it
     */
    @Override
    void close();
}
