package dev.agentkernel.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link AsyncSandboxSession} as a blocking session's calls on virtual threads. Package-private. */
final class RemoteAsyncSandboxSession implements AsyncSandboxSession {

    private final SandboxSession session;
    private final Dispatcher dispatcher;

    RemoteAsyncSandboxSession(SandboxSession session, Dispatcher dispatcher) {
        this.session = session;
        this.dispatcher = dispatcher;
    }

    @Override
    public String name() {
        return session.name();
    }

    @Override
    public CompletableFuture<SandboxInfo> info() {
        return dispatcher.submit(session::info);
    }

    @Override
    public CompletableFuture<RunResult> run(List<String> command, ExecOptions options) {
        return dispatcher.submit(() -> session.run(command, options));
    }

    @Override
    public CompletableFuture<FileContent> readFile(String path) {
        return dispatcher.submit(() -> session.readFile(path));
    }

    @Override
    public CompletableFuture<byte[]> readFileBytes(String path) {
        return dispatcher.submit(() -> session.readFileBytes(path));
    }

    @Override
    public CompletableFuture<Void> writeFile(String path, String text) {
        return dispatcher.submit(() -> {
            session.writeFile(path, text);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> writeFile(String path, byte[] bytes) {
        return dispatcher.submit(() -> {
            session.writeFile(path, bytes);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> deleteFile(String path) {
        return dispatcher.submit(() -> {
            session.deleteFile(path);
            return null;
        });
    }

    @Override
    public CompletableFuture<List<AuditEvent>> logs() {
        return dispatcher.submit(session::logs);
    }

    @Override
    public CompletableFuture<BackgroundProcess> execDetached(List<String> command, ExecOptions options) {
        return dispatcher.submit(() -> session.execDetached(command, options));
    }

    @Override
    public CompletableFuture<List<BackgroundProcess>> detached() {
        return dispatcher.submit(session::detached);
    }

    @Override
    public CompletableFuture<BackgroundLogs> detachedLogs(String id) {
        return dispatcher.submit(() -> session.detachedLogs(id));
    }

    @Override
    public CompletableFuture<String> killDetached(String id) {
        return dispatcher.submit(() -> session.killDetached(id));
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        return dispatcher.submit(() -> {
            session.close();
            return null;
        });
    }

    @Override
    public void close() {
        session.close(); // on the caller's thread: works even after the client stopped taking async calls
    }

    @Override
    public String toString() {
        return "Async" + session;
    }
}
