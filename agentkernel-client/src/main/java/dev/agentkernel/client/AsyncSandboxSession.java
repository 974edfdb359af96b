package dev.agentkernel.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A persistent sandbox owned by the caller of {@link AsyncAgentKernel#sandbox}: the
 * asynchronous form of {@link SandboxSession}. Remove it with {@link #closeAsync()}, with
 * {@link #close()} (which waits), or let {@link AsyncAgentKernel#withSandbox} do it.
 * Thread-safe.
 */
public interface AsyncSandboxSession extends AutoCloseable {

    /**
     * The sandbox's name.
     *
     * @return the name it was created with
     */
    String name();

    /**
     * As {@link SandboxSession#info()}.
     *
     * @return its current description
     */
    CompletableFuture<SandboxInfo> info();

    /**
     * As {@link SandboxSession#run(List, ExecOptions)}.
     *
     * @param command the program and its arguments
     * @param options environment, working directory, timeout
     * @return what it produced
     */
    CompletableFuture<RunResult> run(List<String> command, ExecOptions options);

    /**
     * Runs a command in the sandbox with the default options.
     *
     * @param command the program and its arguments
     * @return what it produced
     */
    default CompletableFuture<RunResult> run(List<String> command) {
        return run(command, ExecOptions.defaults());
    }

    /**
     * As {@link SandboxSession#readFile(String)}.
     *
     * @param path the file's path in the sandbox
     * @return its content
     */
    CompletableFuture<FileContent> readFile(String path);

    /**
     * As {@link SandboxSession#readFileBytes(String)}.
     *
     * @param path the file's path in the sandbox
     * @return its bytes
     */
    CompletableFuture<byte[]> readFileBytes(String path);

    /**
     * As {@link SandboxSession#writeFile(String, String)}.
     *
     * @param path the file's path in the sandbox
     * @param text its new content
     * @return completes when it is written
     */
    CompletableFuture<Void> writeFile(String path, String text);

    /**
     * As {@link SandboxSession#writeFile(String, byte[])}.
     *
     * @param path  the file's path in the sandbox
     * @param bytes its new content
     * @return completes when it is written
     */
    CompletableFuture<Void> writeFile(String path, byte[] bytes);

    /**
     * As {@link SandboxSession#deleteFile(String)}.
     *
     * @param path the file's path in the sandbox
     * @return completes when it is deleted
     */
    CompletableFuture<Void> deleteFile(String path);

    /**
     * As {@link SandboxSession#logs()}.
     *
     * @return its events, oldest first
     */
    CompletableFuture<List<AuditEvent>> logs();

    /**
     * Removes the sandbox and its files. Idempotent; a sandbox already gone is not an error.
     *
     * @return completes when it is removed
     */
    CompletableFuture<Void> closeAsync();

    // ---- background processes (issue 15, point 3) ----

    /**
     * As {@link SandboxSession#execDetached}.
     *
     * @param command the argv
     * @param options environment, working directory, sudo
     * @return the process, usually still running
     */
    CompletableFuture<BackgroundProcess> execDetached(List<String> command, ExecOptions options);

    /**
     * As {@link SandboxSession#detached()}.
     *
     * @return the sandbox's background processes, oldest first
     */
    CompletableFuture<List<BackgroundProcess>> detached();

    /**
     * As {@link SandboxSession#detachedLogs}.
     *
     * @param id the process's id
     * @return its kept output
     */
    CompletableFuture<BackgroundLogs> detachedLogs(String id);

    /**
     * As {@link SandboxSession#killDetached}.
     *
     * @param id the process's id
     * @return the daemon's message
     */
    CompletableFuture<String> killDetached(String id);

    /**
     * Removes the sandbox on the calling thread and waits for it. Idempotent; a sandbox already
     * gone is not an error.
     *
     * @throws AgentKernelException if the server cannot remove it
     */
    @Override
    void close();
}
