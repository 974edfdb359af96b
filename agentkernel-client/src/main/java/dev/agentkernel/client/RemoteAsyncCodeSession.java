package dev.agentkernel.client;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@link AsyncCodeSession} as a blocking session's calls on virtual threads, each waiting for
 * the one called before it. Package-private.
 */
final class RemoteAsyncCodeSession implements AsyncCodeSession {

    private final CodeSession session;
    private final Dispatcher dispatcher;
    /** The last call queued: the next one starts when it has ended, however it ended. */
    private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

    RemoteAsyncCodeSession(CodeSession session, Dispatcher dispatcher) {
        this.session = session;
        this.dispatcher = dispatcher;
    }

    @Override
    public Optional<String> id() {
        return session.id();
    }

    @Override
    public CompletableFuture<CodeResult> execute(String code) {
        return inOrder(() -> session.execute(code));
    }

    @Override
    public CompletableFuture<CodeResult> execute(String code, Duration timeout) {
        return inOrder(() -> session.execute(code, timeout));
    }

    @Override
    public CompletableFuture<SessionInfo> info() {
        return dispatcher.submit(session::info);
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        return inOrder(() -> {
            session.close();
            return null;
        });
    }

    @Override
    public void close() {
        session.close(); // on the caller's thread: works even after the client stopped taking async calls
    }

    /** Runs {@code call} on its own thread once the previous call has ended; cancelling it interrupts it. */
    private synchronized <T> CompletableFuture<T> inOrder(Callable<T> call) {
        CompletableFuture<?> before = last;
        CompletableFuture<T> next = dispatcher.submit(() -> {
            try {
                before.get(); // interruptible: cancelling this call does not wait for the one before
            } catch (ExecutionException | CancellationException e) {
                // the one before failed: this one runs anyway, as a blocking caller's next call would
            }
            return call.call();
        });
        last = next;
        return next;
    }

    @Override
    public String toString() {
        return "Async" + session;
    }
}
