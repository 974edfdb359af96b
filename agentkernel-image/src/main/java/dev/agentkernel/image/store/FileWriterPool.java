package dev.agentkernel.image.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs the file writes of one layer on a few platform threads while the tar stream is read on
 * the caller's: creating a file is the dearest step of an unpack (an inode to allocate), and the
 * creations of one directory serialize on that directory's lock in the kernel, so the writes of
 * one directory go to one thread (in their order) and different directories run in parallel.
 *
 * <p>The caller bounds what is queued in bytes ({@code budget}); {@link #awaitAll()} returns when
 * every write submitted so far is on disk, or throws the first failure. {@link #close()} drops what
 * has not started once something failed, and returns only when no thread touches the tree any more.
 */
final class FileWriterPool implements AutoCloseable {

    /** One write. */
    @FunctionalInterface
    interface Write {
        void run() throws IOException;
    }

    private final ExecutorService[] shards;
    private final Semaphore budget;
    private final int budgetBytes;
    private final Object lock = new Object();
    private int pending;
    private Throwable failure;
    private volatile boolean aborted;

    /** A pool of {@code threads} writers holding at most {@code budgetBytes} of queued file content. */
    FileWriterPool(int threads, int budgetBytes, String name) {
        this.shards = new ExecutorService[Math.max(1, threads)];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name(name + "-" + i).factory());
        }
        this.budgetBytes = Math.max(1, budgetBytes);
        this.budget = new Semaphore(this.budgetBytes);
    }

    /** The most bytes one write may hold; larger files are the caller's to write. */
    int budgetBytes() {
        return budgetBytes;
    }

    /**
     * Queues {@code write}, which holds {@code bytes} of content, behind the earlier writes of the
     * same {@code directory}; waits while the queued bytes would pass the budget.
     *
     * @throws IOException the failure of an earlier write, if one failed
     */
    void submit(String directory, int bytes, Write write) throws IOException {
        rethrowFailure();
        int permits = Math.min(Math.max(0, bytes), budgetBytes);
        try {
            budget.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while unpacking");
        }
        synchronized (lock) {
            pending++;
        }
        ExecutorService shard = shards[Math.floorMod(directory.hashCode(), shards.length)];
        shard.execute(() -> {
            try {
                if (!aborted) {
                    write.run();
                }
            } catch (Throwable t) {
                synchronized (lock) {
                    if (failure == null) {
                        failure = t;
                    }
                }
                aborted = true;
            } finally {
                budget.release(permits);
                synchronized (lock) {
                    pending--;
                    lock.notifyAll();
                }
            }
        });
    }

    /** Waits until every write submitted so far has run, then throws the first failure if any. */
    void awaitAll() throws IOException {
        synchronized (lock) {
            while (pending > 0) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    aborted = true;
                    throw new InterruptedIOException("interrupted while unpacking");
                }
            }
        }
        rethrowFailure();
    }

    private void rethrowFailure() throws IOException {
        Throwable t;
        synchronized (lock) {
            t = failure;
        }
        switch (t) {
            case null -> {
            }
            case IOException io -> throw io;
            case UncheckedIOException u -> throw u.getCause();
            case RuntimeException re -> throw re;
            case Error e -> throw e;
            default -> throw new IOException(t);
        }
    }

    /**
     * Stops the threads. Writes not started yet are dropped unless every write was awaited;
     * returns once none runs any more.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (pending > 0) {
                aborted = true;
            }
        }
        boolean interrupted = false;
        for (ExecutorService shard : shards) {
            shard.shutdown();
        }
        for (ExecutorService shard : shards) {
            while (true) {
                try {
                    if (shard.awaitTermination(1, TimeUnit.MINUTES)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // still wait: the caller deletes the tree next
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
