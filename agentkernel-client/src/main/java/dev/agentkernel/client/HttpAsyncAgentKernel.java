package dev.agentkernel.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@link AsyncAgentKernel} as the blocking client's calls on virtual threads: blocking code in
 * the middle, futures only at the edge. Package-private.
 */
final class HttpAsyncAgentKernel implements AsyncAgentKernel {

    private final AgentKernel blocking;
    private final Dispatcher dispatcher;
    private final boolean owner;

    private HttpAsyncAgentKernel(AgentKernel blocking, Dispatcher dispatcher, boolean owner) {
        this.blocking = blocking;
        this.dispatcher = dispatcher;
        this.owner = owner;
    }

    static HttpAsyncAgentKernel open(ClientSettings settings) {
        return new HttpAsyncAgentKernel(HttpAgentKernel.open(settings), new Dispatcher(), true);
    }

    @Override
    public CompletableFuture<String> health() {
        return dispatcher.submit(blocking::health);
    }

    @Override
    public CompletableFuture<ServerStatus> status() {
        return dispatcher.submit(blocking::status);
    }

    @Override
    public CompletableFuture<RunResult> run(List<String> command, RunOptions options) {
        return dispatcher.submit(() -> blocking.run(command, options));
    }

    @Override
    public CompletableFuture<StreamEvent.Done> runStream(List<String> command, RunOptions options,
                                                         Consumer<? super StreamEvent> listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        return dispatcher.submit(() -> follow(blocking.runStream(command, options), listener));
    }

    @Override
    public CompletableFuture<StreamEvent.Done> execStream(String name, List<String> command, ExecOptions options,
                                                          Consumer<? super StreamEvent> listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        return dispatcher.submit(() -> follow(blocking.execStream(name, command, options), listener));
    }

    /** Hands every event to {@code listener} and returns the done event; an error event is a ServerException. */
    private static StreamEvent.Done follow(EventStream stream, Consumer<? super StreamEvent> listener) {
        try (EventStream events = stream) {
            for (StreamEvent event : events) {
                listener.accept(event);
                if (event instanceof StreamEvent.Done done) {
                    return done;
                }
                if (event instanceof StreamEvent.Error error) {
                    throw new ServerException(0, error.message());
                }
            }
        }
        // The stream ends only after done or error, or throws; closed under us means cancelled.
        throw new ConnectionException("the event stream was closed before its done event", null);
    }

    @Override
    public CompletableFuture<List<BatchResult>> batchRun(List<BatchCommand> commands) {
        return dispatcher.submit(() -> blocking.batchRun(commands));
    }

    @Override
    public CompletableFuture<List<SandboxInfo>> listSandboxes() {
        return dispatcher.submit(blocking::listSandboxes);
    }

    @Override
    public CompletableFuture<List<ImageInfo>> listImages() {
        return dispatcher.submit(blocking::listImages);
    }

    @Override
    public CompletableFuture<ImageInfo> pullImage(String reference, PullPolicy policy, ImagePullListener listener) {
        return dispatcher.submit(() -> blocking.pullImage(reference, policy, listener));
    }

    @Override
    public CompletableFuture<Void> removeImage(String reference) {
        return dispatcher.submit(() -> {
            blocking.removeImage(reference);
            return null;
        });
    }

    @Override
    public CompletableFuture<SandboxInfo> createSandbox(String name, SandboxOptions options) {
        return dispatcher.submit(() -> blocking.createSandbox(name, options));
    }

    @Override
    public CompletableFuture<SandboxInfo> getSandbox(String name) {
        return dispatcher.submit(() -> blocking.getSandbox(name));
    }

    @Override
    public CompletableFuture<SandboxInfo> getSandboxByUuid(String uuid) {
        return dispatcher.submit(() -> blocking.getSandboxByUuid(uuid));
    }

    @Override
    public CompletableFuture<java.util.Optional<java.time.Instant>> extendSandbox(String name, java.time.Duration by) {
        return dispatcher.submit(() -> blocking.extendSandbox(name, by));
    }

    @Override
    public CompletableFuture<Integer> writeFiles(String sandbox, java.util.Map<String, String> files) {
        return dispatcher.submit(() -> blocking.writeFiles(sandbox, files));
    }

    @Override
    public CompletableFuture<SandboxInfo> startSandbox(String name) {
        return dispatcher.submit(() -> blocking.startSandbox(name));
    }

    @Override
    public CompletableFuture<SandboxInfo> stopSandbox(String name) {
        return dispatcher.submit(() -> blocking.stopSandbox(name));
    }

    // ---- pause and resume (issue 15) ----
    @Override
    public CompletableFuture<SandboxInfo> pauseSandbox(String name) {
        return dispatcher.submit(() -> blocking.pauseSandbox(name));
    }

    @Override
    public CompletableFuture<SandboxInfo> resumeSandbox(String name) {
        return dispatcher.submit(() -> blocking.resumeSandbox(name));
    }

    @Override
    public CompletableFuture<Void> removeSandbox(String name) {
        return dispatcher.submit(() -> {
            blocking.removeSandbox(name);
            return null;
        });
    }

    // ---- background processes (issue 15, point 3) ----

    @Override
    public CompletableFuture<BackgroundProcess> execDetached(String sandbox, List<String> command, ExecOptions options) {
        return dispatcher.submit(() -> blocking.execDetached(sandbox, command, options));
    }

    @Override
    public CompletableFuture<List<BackgroundProcess>> listDetached(String sandbox) {
        return dispatcher.submit(() -> blocking.listDetached(sandbox));
    }

    @Override
    public CompletableFuture<BackgroundProcess> detached(String sandbox, String id) {
        return dispatcher.submit(() -> blocking.detached(sandbox, id));
    }

    @Override
    public CompletableFuture<BackgroundLogs> detachedLogs(String sandbox, String id) {
        return dispatcher.submit(() -> blocking.detachedLogs(sandbox, id));
    }

    @Override
    public CompletableFuture<StreamEvent.Done> followDetached(String sandbox, String id,
                                                              Consumer<? super StreamEvent> listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        return dispatcher.submit(() -> follow(blocking.followDetached(sandbox, id), listener));
    }

    @Override
    public CompletableFuture<String> killDetached(String sandbox, String id) {
        return dispatcher.submit(() -> blocking.killDetached(sandbox, id));
    }

    @Override
    public CompletableFuture<RunResult> execInSandbox(String name, List<String> command, ExecOptions options) {
        return dispatcher.submit(() -> blocking.execInSandbox(name, command, options));
    }

    @Override
    public CompletableFuture<FileContent> readFile(String sandbox, String path) {
        return dispatcher.submit(() -> blocking.readFile(sandbox, path));
    }

    @Override
    public CompletableFuture<byte[]> readFileBytes(String sandbox, String path) {
        return dispatcher.submit(() -> blocking.readFileBytes(sandbox, path));
    }

    @Override
    public CompletableFuture<Void> writeFile(String sandbox, String path, String text) {
        return dispatcher.submit(() -> {
            blocking.writeFile(sandbox, path, text);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> writeFile(String sandbox, String path, byte[] bytes) {
        return dispatcher.submit(() -> {
            blocking.writeFile(sandbox, path, bytes);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> deleteFile(String sandbox, String path) {
        return dispatcher.submit(() -> {
            blocking.deleteFile(sandbox, path);
            return null;
        });
    }

    @Override
    public CompletableFuture<List<AuditEvent>> logs(String sandbox) {
        return dispatcher.submit(() -> blocking.logs(sandbox));
    }

    @Override
    public CompletableFuture<List<AuditEvent>> audit(int limit) {
        return dispatcher.submit(() -> blocking.audit(limit));
    }

    @Override
    public CompletableFuture<AsyncSandboxSession> sandbox(String name, SandboxOptions options) {
        return dispatcher.submit(() -> new RemoteAsyncSandboxSession(blocking.sandbox(name, options), dispatcher));
    }

    @Override
    public <T> CompletableFuture<T> withSandbox(String name, SandboxOptions options,
                                                Function<? super AsyncSandboxSession, ? extends CompletionStage<T>> body) {
        java.util.Objects.requireNonNull(body, "body");
        return sandbox(name, options).thenCompose(session -> using(session, body, AsyncSandboxSession::closeAsync));
    }

    @Override
    public CompletableFuture<CodeResult> executeCode(String code, CodeOptions options) {
        return dispatcher.submit(() -> blocking.executeCode(code, options));
    }

    @Override
    public CompletableFuture<List<SessionInfo>> listSessions() {
        return dispatcher.submit(blocking::listSessions);
    }

    @Override
    public CompletableFuture<SessionInfo> getSession(String id) {
        return dispatcher.submit(() -> blocking.getSession(id));
    }

    @Override
    public CompletableFuture<Void> deleteSession(String id) {
        return dispatcher.submit(() -> {
            blocking.deleteSession(id);
            return null;
        });
    }

    @Override
    public CompletableFuture<SessionStats> sessionStats() {
        return dispatcher.submit(blocking::sessionStats);
    }

    @Override
    public CompletableFuture<SessionStats.Maintenance> pauseMaintenance() {
        return dispatcher.submit(blocking::pauseMaintenance);
    }

    @Override
    public CompletableFuture<SessionStats.Maintenance> resumeMaintenance() {
        return dispatcher.submit(blocking::resumeMaintenance);
    }

    @Override
    public CompletableFuture<TaskInfo> dispatchTask(String code, TaskOptions options) {
        return dispatcher.submit(() -> blocking.dispatchTask(code, options));
    }

    @Override
    public CompletableFuture<TaskInfo> getTask(String taskId) {
        return dispatcher.submit(() -> blocking.getTask(taskId));
    }

    @Override
    public CompletableFuture<TaskInfo> waitForTask(String taskId, Duration timeout) {
        return dispatcher.submit(() -> blocking.waitForTask(taskId, timeout));
    }

    @Override
    public CompletableFuture<TaskResult> executeTask(String code, TaskOptions options) {
        return dispatcher.submit(() -> blocking.executeTask(code, options));
    }

    @Override
    public CompletableFuture<List<TaskInfo>> listTasks() {
        return dispatcher.submit(blocking::listTasks);
    }

    @Override
    public CompletableFuture<Cancellation> cancelTask(String taskId) {
        return dispatcher.submit(() -> blocking.cancelTask(taskId));
    }

    @Override
    public CompletableFuture<ToolCatalog> searchTools(String query) {
        return dispatcher.submit(() -> blocking.searchTools(query));
    }

    @Override
    public CompletableFuture<Void> clearToolCache() {
        return dispatcher.submit(() -> {
            blocking.clearToolCache();
            return null;
        });
    }

    @Override
    public AsyncCodeSession codeSession(CodeOptions options) {
        return new RemoteAsyncCodeSession(blocking.codeSession(options), dispatcher);
    }

    @Override
    public <T> CompletableFuture<T> withCodeSession(CodeOptions options,
                                                    Function<? super AsyncCodeSession, ? extends CompletionStage<T>> body) {
        java.util.Objects.requireNonNull(body, "body");
        AsyncCodeSession session;
        try {
            session = codeSession(options);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return using(session, body, AsyncCodeSession::closeAsync);
    }

    /**
     * Runs {@code body} with {@code session}, then closes the session however the body ended: the
     * body's result, else its failure with a failure to close suppressed, else the failure to close.
     */
    private static <S, T> CompletableFuture<T> using(S session, Function<? super S, ? extends CompletionStage<T>> body,
                                                    Function<S, CompletableFuture<Void>> close) {
        CompletionStage<T> stage;
        try {
            stage = java.util.Objects.requireNonNull(body.apply(session), "the body returned null");
        } catch (Throwable e) {
            stage = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> close.apply(session).whenComplete((ignored, closeFailure) -> {
            if (failure != null) {
                if (closeFailure != null) {
                    unwrap(failure).addSuppressed(unwrap(closeFailure));
                }
                result.completeExceptionally(unwrap(failure));
            } else if (closeFailure != null) {
                result.completeExceptionally(unwrap(closeFailure));
            } else {
                result.complete(value);
            }
        }));
        return result;
    }

    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    // ---- snapshots and forks (issue 15) ----

    @Override
    public CompletableFuture<SnapshotInfo> takeSnapshot(String sandbox, java.util.Optional<String> name) {
        return dispatcher.submit(() -> blocking.takeSnapshot(sandbox, name));
    }

    @Override
    public CompletableFuture<List<SnapshotInfo>> listSnapshots() {
        return dispatcher.submit(blocking::listSnapshots);
    }

    @Override
    public CompletableFuture<SnapshotInfo> getSnapshot(String name) {
        return dispatcher.submit(() -> blocking.getSnapshot(name));
    }

    @Override
    public CompletableFuture<Void> deleteSnapshot(String name) {
        return dispatcher.submit(() -> {
            blocking.deleteSnapshot(name);
            return null;
        });
    }

    @Override
    public CompletableFuture<SandboxInfo> restoreSnapshot(String name, java.util.Optional<String> into) {
        return dispatcher.submit(() -> blocking.restoreSnapshot(name, into));
    }

    @Override
    public CompletableFuture<ForkResult> forkSandbox(String name, int count) {
        return dispatcher.submit(() -> blocking.forkSandbox(name, count));
    }

    @Override
    public CompletableFuture<ForkResult> forkSandbox(String name, List<String> names) {
        return dispatcher.submit(() -> blocking.forkSandbox(name, names));
    }

    @Override
    public AsyncAgentKernel withTimeout(Duration timeout) {
        return new HttpAsyncAgentKernel(blocking.withTimeout(timeout), dispatcher, false);
    }

    @Override
    public void close() {
        if (owner) {
            dispatcher.close();
            blocking.close();
        }
    }

    @Override
    public String toString() {
        return "Async" + blocking;
    }

    // ---- named volumes (issue 15, point 6) ----

    @Override
    public CompletableFuture<SandboxInfo> createSandbox(String name, SandboxOptions options, List<String> volumes) {
        return dispatcher.submit(() -> blocking.createSandbox(name, options, volumes));
    }

    @Override
    public CompletableFuture<VolumeInfo> createVolume(String name, java.util.OptionalLong sizeMb) {
        return dispatcher.submit(() -> blocking.createVolume(name, sizeMb));
    }

    @Override
    public CompletableFuture<List<VolumeInfo>> listVolumes() {
        return dispatcher.submit(blocking::listVolumes);
    }

    @Override
    public CompletableFuture<VolumeInfo> getVolume(String name) {
        return dispatcher.submit(() -> blocking.getVolume(name));
    }

    @Override
    public CompletableFuture<Void> removeVolume(String name, boolean force) {
        return dispatcher.submit(() -> {
            blocking.removeVolume(name, force);
            return null;
        });
    }

    // ---- secrets (issue 16) ----

    @Override
    public CompletableFuture<SecretInfo> setSecret(String name, String value) {
        return dispatcher.submit(() -> blocking.setSecret(name, value));
    }

    @Override
    public CompletableFuture<List<SecretInfo>> listSecrets() {
        return dispatcher.submit(blocking::listSecrets);
    }

    @Override
    public CompletableFuture<SecretInfo> getSecret(String name) {
        return dispatcher.submit(() -> blocking.getSecret(name));
    }

    @Override
    public CompletableFuture<Void> removeSecret(String name) {
        return dispatcher.submit(() -> {
            blocking.removeSecret(name);
            return null;
        });
    }
}
