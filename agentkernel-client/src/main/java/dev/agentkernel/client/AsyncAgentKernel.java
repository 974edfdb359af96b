package dev.agentkernel.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The asynchronous client: {@link AgentKernel}'s API with every call returning a
 * {@link CompletableFuture} at once. Each call runs on its own virtual thread; a failed call
 * completes its future exceptionally with the {@link AgentKernelException} the blocking client
 * would throw. Cancelling a future returned by this client ({@code cancel(true)}) aborts its
 * request; cancelling a future derived from it ({@code thenApply}, ...) does not.
 *
 * {@snippet :
 * try (AsyncAgentKernel client = AsyncAgentKernel.create()) {
 *     CompletableFuture<RunResult> a = client.run("echo", "a");
 *     CompletableFuture<RunResult> b = client.run("echo", "b");
 *     System.out.print(a.join().output() + b.join().output());
 * }
 * }
 *
 * <p>Configuration is as for {@link AgentKernel}. Thread-safe.
 */
public interface AsyncAgentKernel extends AutoCloseable {

    /**
     * A client configured from the environment and the defaults, as {@link AgentKernel#create()}.
     *
     * @return a new client; close it
     * @throws IllegalArgumentException if {@code AGENTKERNEL_BASE_URL} is not an http(s) URL
     */
    static AsyncAgentKernel create() {
        return builder().build();
    }

    /**
     * A builder whose unset values fall back to the environment, then to the defaults.
     *
     * @return a new builder
     */
    static ClientBuilder<AsyncAgentKernel> builder() {
        return new ClientBuilder<>(HttpAsyncAgentKernel::open);
    }

    /**
     * As {@link AgentKernel#health()}.
     *
     * @return the daemon's answer, {@code ok}
     */
    CompletableFuture<String> health();

    /**
     * As {@link AgentKernel#status()}.
     *
     * @return the daemon's status
     */
    CompletableFuture<ServerStatus> status();

    /**
     * As {@link AgentKernel#run(List, RunOptions)}.
     *
     * @param command the program and its arguments
     * @param options image, profile, warm pool, timeout, environment
     * @return what it produced
     */
    CompletableFuture<RunResult> run(List<String> command, RunOptions options);

    /**
     * Runs a command with the default options.
     *
     * @param command the program and its arguments
     * @return what it produced
     */
    default CompletableFuture<RunResult> run(List<String> command) {
        return run(command, RunOptions.defaults());
    }

    /**
     * Runs a command with the default options.
     *
     * @param command the program and its arguments, e.g. {@code "echo", "hello"}
     * @return what it produced
     */
    default CompletableFuture<RunResult> run(String... command) {
        return run(List.of(command), RunOptions.defaults());
    }

    /**
     * Streams a command's events to {@code listener} as they arrive, on one thread, in order
     * (as {@link AgentKernel#runStream(List, RunOptions)}). The future completes with the
     * {@link StreamEvent.Done} event, or exceptionally with a {@link ServerException} (status 0)
     * after an {@link StreamEvent.Error} event (the listener sees that event first), or with
     * what the listener threw. Cancelling the future closes the connection, which ends the
     * command.
     *
     * @param command  the program and its arguments
     * @param options  as for {@link #run(List, RunOptions)}
     * @param listener receives every event, including the last
     * @return the end of the command
     */
    CompletableFuture<StreamEvent.Done> runStream(List<String> command, RunOptions options,
                                                  Consumer<? super StreamEvent> listener);

    /**
     * As {@link AgentKernel#batchRun(List)}.
     *
     * @param commands the commands (at most 256)
     * @return one result per command, in the same order
     */
    CompletableFuture<List<BatchResult>> batchRun(List<BatchCommand> commands);

    /**
     * As {@link AgentKernel#listSandboxes()}.
     *
     * @return every sandbox
     */
    CompletableFuture<List<SandboxInfo>> listSandboxes();

    /**
     * As {@link AgentKernel#listImages()}.
     *
     * @return the images of the daemon's store
     */
    CompletableFuture<List<ImageInfo>> listImages();

    /**
     * As {@link AgentKernel#pullImage(String, PullPolicy, ImagePullListener)}; {@code listener} is
     * called on the client's own thread, in order.
     *
     * @param reference the reference, e.g. {@code python:3.12-alpine}
     * @param policy    when to ask the registry
     * @param listener  receives the progress
     * @return the stored image
     */
    CompletableFuture<ImageInfo> pullImage(String reference, PullPolicy policy, ImagePullListener listener);

    /**
     * As {@link AgentKernel#removeImage(String)}.
     *
     * @param reference the reference
     * @return completes when it is removed
     */
    CompletableFuture<Void> removeImage(String reference);

    /**
     * As {@link AgentKernel#createSandbox(String, SandboxOptions)}.
     *
     * @param name    a name not in use
     * @param options image, limits, profile, network
     * @return the new sandbox
     */
    CompletableFuture<SandboxInfo> createSandbox(String name, SandboxOptions options);

    /**
     * As {@link AgentKernel#getSandbox(String)}.
     *
     * @param name its name
     * @return its description
     */
    CompletableFuture<SandboxInfo> getSandbox(String name);

    /**
     * As {@link AgentKernel#getSandboxByUuid(String)}.
     *
     * @param uuid its uuid
     * @return the sandbox
     */
    CompletableFuture<SandboxInfo> getSandboxByUuid(String uuid);

    /**
     * As {@link AgentKernel#extendSandbox(String, java.time.Duration)}.
     *
     * @param name the sandbox
     * @param by   how much more time, whole seconds
     * @return its new expiry, empty for a sandbox without a time to live
     */
    CompletableFuture<java.util.Optional<java.time.Instant>> extendSandbox(String name, java.time.Duration by);

    /**
     * As {@link AgentKernel#writeFiles(String, java.util.Map)}.
     *
     * @param sandbox the sandbox
     * @param files   path → text
     * @return how many files were written
     */
    CompletableFuture<Integer> writeFiles(String sandbox, java.util.Map<String, String> files);

    /**
     * As {@link AgentKernel#startSandbox(String)}.
     *
     * @param name its name
     * @return its description, now running
     */
    CompletableFuture<SandboxInfo> startSandbox(String name);

    /**
     * As {@link AgentKernel#stopSandbox(String)}.
     *
     * @param name its name
     * @return its description, now stopped
     */
    CompletableFuture<SandboxInfo> stopSandbox(String name);

    // ---- pause and resume (issue 15) ----

    /**
     * As {@link AgentKernel#pauseSandbox(String)}.
     *
     * @param name its name
     * @return its description, now paused
     */
    CompletableFuture<SandboxInfo> pauseSandbox(String name);

    /**
     * As {@link AgentKernel#resumeSandbox(String)}.
     *
     * @param name its name
     * @return its description, now running
     */
    CompletableFuture<SandboxInfo> resumeSandbox(String name);

    /**
     * As {@link AgentKernel#removeSandbox(String)}.
     *
     * @param name its name
     * @return completes when it is removed
     */
    CompletableFuture<Void> removeSandbox(String name);

    /**
     * As {@link AgentKernel#execInSandbox(String, List, ExecOptions)}.
     *
     * @param name    the sandbox
     * @param command the program and its arguments
     * @param options environment, working directory, timeout
     * @return what it produced
     */
    CompletableFuture<RunResult> execInSandbox(String name, List<String> command, ExecOptions options);

    /**
     * Streams the events of a command inside a running sandbox to {@code listener} as they
     * arrive (as {@link AgentKernel#execStream(String, List, ExecOptions)}); the future completes
     * as for {@link #runStream(List, RunOptions, Consumer)}.
     *
     * @param name     the sandbox
     * @param command  the program and its arguments
     * @param options  environment, working directory, timeout
     * @param listener receives every event, including the last
     * @return the end of the command
     */
    CompletableFuture<StreamEvent.Done> execStream(String name, List<String> command, ExecOptions options,
                                                   Consumer<? super StreamEvent> listener);

    /**
     * As {@link AgentKernel#readFile(String, String)}.
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @return the content
     */
    CompletableFuture<FileContent> readFile(String sandbox, String path);

    /**
     * As {@link AgentKernel#readFileBytes(String, String)}.
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @return its bytes
     */
    CompletableFuture<byte[]> readFileBytes(String sandbox, String path);

    /**
     * As {@link AgentKernel#writeFile(String, String, String)}.
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @param text    its new content
     * @return completes when it is written
     */
    CompletableFuture<Void> writeFile(String sandbox, String path, String text);

    /**
     * As {@link AgentKernel#writeFile(String, String, byte[])}.
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @param bytes   its new content
     * @return completes when it is written
     */
    CompletableFuture<Void> writeFile(String sandbox, String path, byte[] bytes);

    /**
     * As {@link AgentKernel#deleteFile(String, String)}.
     *
     * @param sandbox the sandbox
     * @param path    the file's path in the sandbox
     * @return completes when it is deleted
     */
    CompletableFuture<Void> deleteFile(String sandbox, String path);

    /**
     * As {@link AgentKernel#logs(String)}.
     *
     * @param sandbox the sandbox
     * @return its events, oldest first
     */
    CompletableFuture<List<AuditEvent>> logs(String sandbox);

    /**
     * As {@link AgentKernel#audit(int)}.
     *
     * @param limit how many at most, 1 to 10,000
     * @return the newest events of the daemon, oldest first
     */
    CompletableFuture<List<AuditEvent>> audit(int limit);

    /**
     * As {@link AgentKernel#executeCode(String, CodeOptions)}.
     *
     * @param code    the code
     * @param options the session (or the new session's template, flavor and volumes), the timeout
     * @return what the code printed and whether it raised
     */
    CompletableFuture<CodeResult> executeCode(String code, CodeOptions options);

    /**
     * As {@link AgentKernel#listSessions()}.
     *
     * @return every code session, oldest first
     */
    CompletableFuture<List<SessionInfo>> listSessions();

    /**
     * As {@link AgentKernel#getSession(String)}.
     *
     * @param id the session's id
     * @return its description
     */
    CompletableFuture<SessionInfo> getSession(String id);

    /**
     * As {@link AgentKernel#deleteSession(String)}.
     *
     * @param id the session's id
     * @return completes when it is deleted
     */
    CompletableFuture<Void> deleteSession(String id);

    /**
     * As {@link AgentKernel#sessionStats()}.
     *
     * @return the statistics of the code sessions
     */
    CompletableFuture<SessionStats> sessionStats();

    /**
     * As {@link AgentKernel#pauseMaintenance()}.
     *
     * @return the maintenance's state, now paused
     */
    CompletableFuture<SessionStats.Maintenance> pauseMaintenance();

    /**
     * As {@link AgentKernel#resumeMaintenance()}.
     *
     * @return the maintenance's state, now running
     */
    CompletableFuture<SessionStats.Maintenance> resumeMaintenance();

    /**
     * A code session, created on the server by its first execute, as
     * {@link AgentKernel#codeSession(CodeOptions)}; close it (or use {@link #withCodeSession})
     * to delete it. Nothing is sent until then, so the session is returned at once.
     *
     * @param options the session's template, flavor and volumes, and the default timeout of each execution
     * @return the session
     */
    AsyncCodeSession codeSession(CodeOptions options);

    /**
     * Runs {@code body} with a new code session and deletes the session when the stage
     * {@code body} returns completes, or when {@code body} throws: the asynchronous form of
     * try-with-resources.
     *
     * {@snippet :
     * CompletableFuture<String> out = client.withCodeSession(CodeOptions.defaults().withTemplate("python"),
     *         python -> python.execute("x = 6 * 7")
     *                 .thenCompose(r -> python.execute("print(x)"))
     *                 .thenApply(CodeResult::stdout));
     * }
     *
     * @param options the session's template, flavor and volumes, and the default timeout of each execution
     * @param body    what to do with the session
     * @param <T>     the type of the body's result
     * @return the body's result, after the session is deleted; if the body failed, its failure
     *         (with a failure to delete added as suppressed)
     */
    <T> CompletableFuture<T> withCodeSession(CodeOptions options,
                                             Function<? super AsyncCodeSession, ? extends CompletionStage<T>> body);

    /**
     * As {@link AgentKernel#dispatchTask(String, TaskOptions)}.
     *
     * @param code    the code
     * @param options template, timeout, verbosity, required tools
     * @return the new task, queued or running
     */
    CompletableFuture<TaskInfo> dispatchTask(String code, TaskOptions options);

    /**
     * As {@link AgentKernel#getTask(String)}.
     *
     * @param taskId the task's id
     * @return the task as it is now
     */
    CompletableFuture<TaskInfo> getTask(String taskId);

    /**
     * As {@link AgentKernel#waitForTask(String, Duration)}: completes when the task ends or
     * {@code timeout} has passed. Cancelling the future stops the wait, not the task.
     *
     * @param taskId  the task's id
     * @param timeout the longest wait, positive
     * @return the task as it is then
     */
    CompletableFuture<TaskInfo> waitForTask(String taskId, Duration timeout);

    /**
     * As {@link AgentKernel#executeTask(String, TaskOptions)}: dispatches the code and completes
     * when the task has ended.
     *
     * {@snippet :
     * List<CompletableFuture<TaskResult>> all = Stream.of("print(1)", "print(2)")
     *         .map(code -> client.executeTask(code, TaskOptions.defaults())).toList();
     * all.forEach(f -> System.out.print(f.join().output())); // 1, 2
     * }
     *
     * @param code    the code
     * @param options template, timeout, verbosity, required tools
     * @return how it ended
     */
    CompletableFuture<TaskResult> executeTask(String code, TaskOptions options);

    /**
     * As {@link AgentKernel#listTasks()}.
     *
     * @return the daemon's tasks, newest first
     */
    CompletableFuture<List<TaskInfo>> listTasks();

    /**
     * As {@link AgentKernel#cancelTask(String)}.
     *
     * @param taskId the task's id
     * @return whether it was cancelled, and the task afterwards
     */
    CompletableFuture<Cancellation> cancelTask(String taskId);

    /**
     * As {@link AgentKernel#searchTools(String)}.
     *
     * @param query words; blank for every library
     * @return the tools directory and the matching libraries
     */
    CompletableFuture<ToolCatalog> searchTools(String query);

    /**
     * As {@link AgentKernel#clearToolCache()}.
     *
     * @return completes when the cache is cleared
     */
    CompletableFuture<Void> clearToolCache();

    /**
     * Creates a persistent sandbox and hands it over as a session; close the session (or use
     * {@link #withSandbox}) to remove it.
     *
     * @param name    a name not in use
     * @param options image, limits, profile, network
     * @return the session, once the sandbox runs
     */
    CompletableFuture<AsyncSandboxSession> sandbox(String name, SandboxOptions options);

    /**
     * Creates a persistent sandbox, runs {@code body} with it and removes it when the stage
     * {@code body} returns completes, or when {@code body} throws: the asynchronous form of
     * try-with-resources.
     *
     * {@snippet :
     * CompletableFuture<String> out = client.withSandbox("job", SandboxOptions.defaults(),
     *         sandbox -> sandbox.writeFile("/tmp/a.txt", "hi")
     *                 .thenCompose(v -> sandbox.run(List.of("cat", "/tmp/a.txt")))
     *                 .thenApply(RunResult::output));
     * }
     *
     * @param name    a name not in use
     * @param options image, limits, profile, network
     * @param body    what to do with the sandbox
     * @param <T>     the type of the body's result
     * @return the body's result, after the sandbox is removed; if the body failed, its failure
     *         (with a failure to remove added as suppressed)
     */
    <T> CompletableFuture<T> withSandbox(String name, SandboxOptions options,
                                         Function<? super AsyncSandboxSession, ? extends CompletionStage<T>> body);

    /**
     * This client with another per-request timeout, sharing its connections and threads, as
     * {@link AgentKernel#withTimeout(Duration)}. Closing the returned client does nothing.
     *
     * @param timeout the longest wait for a response
     * @return a view of this client
     */
    AsyncAgentKernel withTimeout(Duration timeout);

    // ---- background processes of a persistent sandbox (issue 15, point 3) ----

    /**
     * As {@link AgentKernel#execDetached}.
     *
     * @param sandbox the sandbox
     * @param command the argv
     * @param options environment, working directory, sudo
     * @return the process, usually still running
     */
    CompletableFuture<BackgroundProcess> execDetached(String sandbox, List<String> command, ExecOptions options);

    /**
     * As {@link AgentKernel#listDetached}.
     *
     * @param sandbox the sandbox
     * @return its background processes, oldest first
     */
    CompletableFuture<List<BackgroundProcess>> listDetached(String sandbox);

    /**
     * As {@link AgentKernel#detached}.
     *
     * @param sandbox the sandbox
     * @param id      the process's id
     * @return it now
     */
    CompletableFuture<BackgroundProcess> detached(String sandbox, String id);

    /**
     * As {@link AgentKernel#detachedLogs}.
     *
     * @param sandbox the sandbox
     * @param id      the process's id
     * @return its kept output
     */
    CompletableFuture<BackgroundLogs> detachedLogs(String sandbox, String id);

    /**
     * As {@link AgentKernel#followDetached}: every event to {@code listener} as it comes, on a virtual thread.
     *
     * @param sandbox  the sandbox
     * @param id       the process's id
     * @param listener receives every event, in order
     * @return the done event, once the process ended (cancelling it stops following, never the process)
     */
    CompletableFuture<StreamEvent.Done> followDetached(String sandbox, String id, Consumer<? super StreamEvent> listener);

    /**
     * As {@link AgentKernel#killDetached}.
     *
     * @param sandbox the sandbox
     * @param id      the process's id
     * @return the daemon's message
     */
    CompletableFuture<String> killDetached(String sandbox, String id);

    // ---- snapshots and forks (issue 15) ----

    /**
     * As {@link AgentKernel#takeSnapshot}.
     *
     * @param sandbox the sandbox
     * @param name    the snapshot's name; empty: the server's choice
     * @return the snapshot
     */
    CompletableFuture<SnapshotInfo> takeSnapshot(String sandbox, java.util.Optional<String> name);

    /**
     * As {@link AgentKernel#listSnapshots}.
     *
     * @return every snapshot, oldest first
     */
    CompletableFuture<List<SnapshotInfo>> listSnapshots();

    /**
     * As {@link AgentKernel#getSnapshot}.
     *
     * @param name the snapshot
     * @return it
     */
    CompletableFuture<SnapshotInfo> getSnapshot(String name);

    /**
     * As {@link AgentKernel#deleteSnapshot}.
     *
     * @param name the snapshot
     * @return completes once it is deleted
     */
    CompletableFuture<Void> deleteSnapshot(String name);

    /**
     * As {@link AgentKernel#restoreSnapshot}.
     *
     * @param name the snapshot
     * @param into the sandbox; empty: the one it was taken from
     * @return the sandbox
     */
    CompletableFuture<SandboxInfo> restoreSnapshot(String name, java.util.Optional<String> into);

    /**
     * As {@link AgentKernel#forkSandbox(String, int)}.
     *
     * @param name  the sandbox
     * @param count how many
     * @return the snapshot and the new sandboxes
     */
    CompletableFuture<ForkResult> forkSandbox(String name, int count);

    /**
     * As {@link AgentKernel#forkSandbox(String, List)}.
     *
     * @param name  the sandbox
     * @param names the new sandboxes' names
     * @return the snapshot and the new sandboxes
     */
    CompletableFuture<ForkResult> forkSandbox(String name, List<String> names);

    /**
     * Aborts the calls still running (their futures complete exceptionally) and releases the
     * connections; later calls return futures that fail with {@link IllegalStateException}.
     * Idempotent; never throws.
     */
    @Override
    void close();

    // ---- named volumes (issue 15, point 6) ----

    /**
     * As {@link AgentKernel#createSandbox(String, SandboxOptions, List)}.
     *
     * @param name    a name not in use
     * @param options image, limits, profile, network
     * @param volumes {@code NAME:/path} or {@code NAME:/path:ro}
     * @return the new sandbox
     */
    CompletableFuture<SandboxInfo> createSandbox(String name, SandboxOptions options, List<String> volumes);

    /**
     * As {@link AgentKernel#createVolume(String, java.util.OptionalLong)}.
     *
     * @param name   a name not in use
     * @param sizeMb its size in MiB, or empty
     * @return the new volume
     */
    CompletableFuture<VolumeInfo> createVolume(String name, java.util.OptionalLong sizeMb);

    /**
     * As {@link AgentKernel#listVolumes()}.
     *
     * @return the volumes
     */
    CompletableFuture<List<VolumeInfo>> listVolumes();

    /**
     * As {@link AgentKernel#getVolume(String)}.
     *
     * @param name its name
     * @return the volume
     */
    CompletableFuture<VolumeInfo> getVolume(String name);

    /**
     * As {@link AgentKernel#removeVolume(String, boolean)}.
     *
     * @param name  its name
     * @param force also when stopped sandboxes mount it
     * @return completes when it is removed
     */
    CompletableFuture<Void> removeVolume(String name, boolean force);

    /**
     * The named volumes, one verb per action.
     *
     * @return the volumes' client
     */
    default AsyncVolumes volumes() {
        return new AsyncVolumes(this);
    }

    // ---- secrets (issue 16) ----

    /**
     * As {@link AgentKernel#setSecret(String, String)}.
     *
     * @param name  its name
     * @param value its value
     * @return its name and dates
     */
    CompletableFuture<SecretInfo> setSecret(String name, String value);

    /**
     * As {@link AgentKernel#listSecrets()}.
     *
     * @return the secrets' names and dates
     */
    CompletableFuture<List<SecretInfo>> listSecrets();

    /**
     * As {@link AgentKernel#getSecret(String)}.
     *
     * @param name its name
     * @return its name and dates
     */
    CompletableFuture<SecretInfo> getSecret(String name);

    /**
     * As {@link AgentKernel#removeSecret(String)}.
     *
     * @param name its name
     * @return completes when it is removed
     */
    CompletableFuture<Void> removeSecret(String name);

    /**
     * The server's secrets, one verb per action.
     *
     * @return the secrets' client
     */
    default AsyncSecrets secrets() {
        return new AsyncSecrets(this);
    }
}
