package dev.agentkernel.client;

import java.util.List;

/**
 * A persistent sandbox that lives as long as a {@code try} block: created by
 * {@link AgentKernel#sandbox(String, SandboxOptions)}, removed with its files by
 * {@link #close()}, also when the block throws.
 *
 * {@snippet :
 * try (SandboxSession sandbox = client.sandbox("build", SandboxOptions.defaults())) {
 *     sandbox.writeFile("/workspace/main.py", "print('hi')\n");
 *     RunResult result = sandbox.run("python3", "/workspace/main.py");
 * } // the sandbox is removed here
 * }
 *
 * <p>The server has no streaming exec inside a persistent sandbox; stream one-off commands with
 * {@link AgentKernel#runStream}. Thread-safe.
 */
public interface SandboxSession extends AutoCloseable {

    /**
     * The sandbox's name.
     *
     * @return the name it was created with
     */
    String name();

    /**
     * The sandbox as the server describes it now.
     *
     * @return its current description
     * @throws AgentKernelException as described there, e.g. {@link NotFoundException} if it was removed
     */
    SandboxInfo info();

    /**
     * Runs a command in the sandbox and waits for it to end.
     *
     * @param command the program and its arguments, not joined into a shell string
     * @param options environment, working directory, timeout
     * @return what it produced; a non-zero exit code is a result, not an exception
     * @throws AgentKernelException if the server cannot run it, e.g. {@link ConflictException} when stopped
     */
    RunResult run(List<String> command, ExecOptions options);

    /**
     * Runs a command in the sandbox with the default options.
     *
     * @param command the program and its arguments
     * @return what it produced
     * @throws AgentKernelException if the server cannot run it
     */
    default RunResult run(List<String> command) {
        return run(command, ExecOptions.defaults());
    }

    /**
     * Runs a command in the sandbox with the default options.
     *
     * @param command the program and its arguments, e.g. {@code "ls", "-la"}
     * @return what it produced
     * @throws AgentKernelException if the server cannot run it
     */
    default RunResult run(String... command) {
        return run(List.of(command), ExecOptions.defaults());
    }

    /**
     * Reads a file of the sandbox through JSON (text as is, binary as base64).
     *
     * @param path the file's path in the sandbox, e.g. {@code /workspace/out.txt}
     * @return its content
     * @throws AgentKernelException e.g. {@link NotFoundException} if it does not exist, {@link ValidationException}
     *                              for a directory or a file larger than a JSON response carries
     */
    FileContent readFile(String path);

    /**
     * Reads a file of the sandbox as raw bytes ({@code application/octet-stream}; no size limit
     * of JSON).
     *
     * @param path the file's path in the sandbox
     * @return its bytes
     * @throws AgentKernelException e.g. {@link NotFoundException} if it does not exist
     */
    byte[] readFileBytes(String path);

    /**
     * Creates or replaces a file of the sandbox with text, encoded as UTF-8. Parent directories
     * must exist.
     *
     * @param path the file's path in the sandbox
     * @param text its new content
     * @throws AgentKernelException e.g. {@link PermissionDeniedException} on a read-only path
     */
    void writeFile(String path, String text);

    /**
     * Creates or replaces a file of the sandbox with bytes, sent raw
     * ({@code application/octet-stream}). Parent directories must exist.
     *
     * @param path  the file's path in the sandbox
     * @param bytes its new content
     * @throws AgentKernelException e.g. {@link PermissionDeniedException} on a read-only path
     */
    void writeFile(String path, byte[] bytes);

    /**
     * Deletes a file of the sandbox.
     *
     * @param path the file's path in the sandbox
     * @throws AgentKernelException e.g. {@link NotFoundException} if it does not exist
     */
    void deleteFile(String path);

    /**
     * The sandbox's audit events, oldest first.
     *
     * @return its events (creation, commands, file operations)
     * @throws AgentKernelException as described there
     */
    List<AuditEvent> logs();

    // ---- background processes (issue 15, point 3) ----

    /**
     * Starts a command in the background in the sandbox ({@link AgentKernel#execDetached}).
     *
     * @param command the argv
     * @param options environment, working directory, sudo
     * @return the process, usually still running
     */
    BackgroundProcess execDetached(List<String> command, ExecOptions options);

    /**
     * The sandbox's background processes, oldest first.
     *
     * @return them
     */
    List<BackgroundProcess> detached();

    /**
     * One background process.
     *
     * @param id the process's id
     * @return it now
     */
    BackgroundProcess detached(String id);

    /**
     * A background process's output so far.
     *
     * @param id the process's id
     * @return its kept output
     */
    BackgroundLogs detachedLogs(String id);

    /**
     * Follows a background process's output live.
     *
     * @param id the process's id
     * @return its events as they come; close it
     */
    EventStream followDetached(String id);

    /**
     * Kills a background process with its process group.
     *
     * @param id the process's id
     * @return the daemon's message
     */
    String killDetached(String id);

    /**
     * Removes the sandbox and its files. Idempotent; a sandbox that is already gone is not an
     * error. When the {@code try} block threw, a failure to remove is added to that exception as
     * suppressed.
     *
     * @throws AgentKernelException if the server cannot remove it
     */
    @Override
    void close();
}
