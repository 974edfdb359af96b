package dev.agentkernel.client;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs blocking calls on virtual threads (the one place the async client creates threads) and
 * hands out their results as {@link CompletableFuture}s whose {@code cancel(true)} interrupts
 * the call. Package-private.
 */
final class Dispatcher {

    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("agentkernel-client-", 0).factory());

    /** A future of {@code call}'s result, completed exceptionally with what it throws. */
    <T> CompletableFuture<T> submit(Callable<T> call) {
        CallFuture<T> future = new CallFuture<>();
        try {
            future.attach(threads.submit(() -> {
                try {
                    future.complete(call.call());
                } catch (Throwable e) {
                    future.completeExceptionally(e);
                }
            }));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new IllegalStateException("the AgentKernel client is closed; create a new one"));
        }
        return future;
    }

    /** Interrupts every running call; later calls fail. */
    void close() {
        threads.shutdownNow();
    }

    /** A future whose cancellation interrupts the thread computing it. */
    private static final class CallFuture<T> extends CompletableFuture<T> {
        private volatile Future<?> task;

        void attach(Future<?> value) {
            task = value;
            if (isCancelled()) {
                value.cancel(true);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Future<?> t = task;
            if (cancelled && t != null) {
                t.cancel(true);
            }
            return cancelled;
        }
    }
}
