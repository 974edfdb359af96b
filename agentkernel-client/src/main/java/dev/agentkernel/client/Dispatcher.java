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

    private final ExecutorService threads = Executors.newCachedThreadPool(threadFactory());

    /**
     * Virtual threads on Java 21 and later (found by reflection: the SDK is compiled for Java 17),
     * daemon platform threads on Java 17.
     */
    static java.util.concurrent.ThreadFactory threadFactory() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> type = Class.forName("java.lang.Thread$Builder");
            builder = type.getMethod("name", String.class, long.class).invoke(builder, "agentkernel-client-", 0L);
            return (java.util.concurrent.ThreadFactory) type.getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException | RuntimeException e) {
            java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
            return r -> {
                Thread t = new Thread(r, "agentkernel-client-" + count.getAndIncrement());
                t.setDaemon(true);
                return t;
            };
        }
    }

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
