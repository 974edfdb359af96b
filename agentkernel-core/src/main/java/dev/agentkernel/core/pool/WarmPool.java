package dev.agentkernel.core.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Sandboxes (in practice {@link dev.agentkernel.core.sandbox.AgentSandbox}es) started ahead of demand, {@code targetPerKey} per key (for {@code /run}, a {@link PoolKey}). A sandbox
 * taken from the pool serves exactly one request and is then {@linkplain #discard destroyed};
 * it is never handed out twice. Its replacement starts when it is discarded, not when it is
 * taken, so that the start does not compete with the request for the CPUs. One filler thread
 * keeps every key topped up, starting at most
 * {@code parallelStarts} sandboxes at once; a key that has not been asked for in
 * {@code idleKeyTimeout} is dropped, and at most {@code maxKeys} keys are kept (least recently
 * asked for dropped first).
 *
 * <p>Thread-safe.
 *
 * @param <K> what a sandbox is started for (a record with value semantics)
 * @param <S> the pooled sandbox
 */
public final class WarmPool<K, S extends AutoCloseable> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WarmPool.class.getName());
    private static final Duration FAILURE_BACKOFF = Duration.ofSeconds(2);
    /** How long a used sandbox waits before it is torn down and replaced (its response is being sent). */
    static final Duration DISCARD_DELAY = Duration.ofMillis(15);

    private final Function<K, S> launcher;
    private final Predicate<S> alive;
    private final int targetPerKey;
    private final int maxKeys;
    private final Duration idleKeyTimeout;
    private final Semaphore starts;
    private final int parallelStarts;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<K, Slot> slots = new LinkedHashMap<>(16, 0.75f, true);
    /** Sandboxes handed out and not yet discarded, with the slot they count against. Guarded by {@link #lock}. */
    private final Map<S, Slot> taken = new java.util.IdentityHashMap<>();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong missed = new AtomicLong();
    private final Thread filler;
    private volatile boolean closed;

    /** The sandboxes of one key. Guarded by {@link #lock}. */
    private final class Slot {
        final Deque<S> ready = new ArrayDeque<>();
        int starting;
        int inUse;
        long lastDemandNanos = System.nanoTime();
        long retryAfterNanos;
        boolean dropped;
    }

    /**
     * @param launcher       starts one sandbox for a key (throws if it cannot)
     * @param alive          whether a ready sandbox can still serve (checked when taken)
     * @param targetPerKey   sandboxes kept ready per key, at least 1
     * @param parallelStarts sandboxes started at once, at least 1
     * @param maxKeys        keys kept at once, at least 1
     * @param idleKeyTimeout a key not asked for this long is dropped
     */
    public WarmPool(Function<K, S> launcher, Predicate<S> alive, int targetPerKey, int parallelStarts, int maxKeys,
                    Duration idleKeyTimeout) {
        if (targetPerKey < 1 || parallelStarts < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("pool sizes must be at least 1");
        }
        this.launcher = launcher;
        this.alive = alive;
        this.targetPerKey = targetPerKey;
        this.maxKeys = maxKeys;
        this.idleKeyTimeout = idleKeyTimeout;
        this.starts = new Semaphore(parallelStarts);
        this.parallelStarts = parallelStarts;
        this.filler = Thread.ofVirtual().name("ak-pool-filler").start(this::fill);
    }

    /** Asks the pool to keep sandboxes of {@code key} ready (e.g. the default key at daemon start). */
    public void warm(K key) {
        lock.lock();
        try {
            slot(key);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A ready sandbox of exactly {@code key}, removed from the pool, or empty if none is ready
     * (the caller then takes the cold path). Either way the key is topped up in the background.
     */
    public Optional<S> take(K key) {
        List<S> dead = new ArrayList<>();
        try {
            lock.lock();
            try {
                if (closed) {
                    return Optional.empty();
                }
                Slot slot = slot(key);
                slot.lastDemandNanos = System.nanoTime();
                changed.signalAll();
                S box;
                while ((box = slot.ready.pollFirst()) != null) {
                    if (alive.test(box)) {
                        served.incrementAndGet();
                        slot.inUse++;
                        taken.put(box, slot);
                        return Optional.of(box);
                    }
                    dead.add(box);
                }
                missed.incrementAndGet();
                return Optional.empty();
            } finally {
                lock.unlock();
            }
        } finally {
            dead.forEach(this::discard);
        }
    }

    /**
     * Destroys a sandbox that served its request, in the background after {@link #DISCARD_DELAY},
     * and then starts its replacement.
     */
    public void discard(S box) {
        // Tearing the sandbox down and starting its replacement both take CPU: let the caller
        // first finish answering the request this sandbox served.
        Thread.ofVirtual().name("ak-pool-discard").start(() -> {
            try {
                Thread.sleep(DISCARD_DELAY);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release(box);
        });
    }

    /**
     * Keeps a taken sandbox for good (e.g. a code session that lives on): it no longer counts
     * against its key, whose replacement starts now. The caller closes it.
     */
    public void claim(S box) {
        lock.lock();
        try {
            Slot slot = taken.remove(box);
            if (slot != null) {
                slot.inUse--;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void release(S box) {
        lock.lock();
        try {
            Slot slot = taken.remove(box);
            if (slot != null) {
                slot.inUse--;
                changed.signalAll(); // its replacement may start now
            }
        } finally {
            lock.unlock();
        }
        closeQuietly(box);
    }

    private static void closeQuietly(AutoCloseable box) {
        try {
            box.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "warm pool: closing a sandbox failed: " + e.getMessage());
        }
    }

    /** What the pool holds now. */
    public PoolStats<K> stats() {
        lock.lock();
        try {
            List<PoolStats.KeyStats<K>> keys = new ArrayList<>();
            slots.forEach((key, slot) -> keys.add(new PoolStats.KeyStats<>(key, slot.ready.size(), slot.starting)));
            return new PoolStats<>(!closed, targetPerKey, keys, served.get(), missed.get());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every known key has {@code targetPerKey} sandboxes ready (or in use: those are
     * replaced when discarded), or the wait ends; true if so.
     */
    public boolean awaitWarm(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (!allWarm()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean allWarm() {
        for (Slot slot : slots.values()) {
            if (slot.ready.size() + slot.inUse < targetPerKey) {
                return false;
            }
        }
        return true;
    }

    private Slot slot(K key) {
        Slot slot = slots.get(key);
        if (slot == null) {
            slot = new Slot();
            slots.put(key, slot);
            while (slots.size() > maxKeys) {
                Iterator<Map.Entry<K, Slot>> eldest = slots.entrySet().iterator();
                drop(eldest.next().getValue());
                eldest.remove();
            }
        }
        return slot;
    }

    /** Marks a slot dropped and destroys its ready sandboxes. Called with the lock held. */
    private void drop(Slot slot) {
        slot.dropped = true;
        slot.ready.forEach(this::discard);
        slot.ready.clear();
    }

    private void fill() {
        while (!closed) {
            K next = null;
            lock.lock();
            try {
                long now = System.nanoTime();
                for (Iterator<Map.Entry<K, Slot>> it = slots.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<K, Slot> e = it.next();
                    Slot slot = e.getValue();
                    if (now - slot.lastDemandNanos > idleKeyTimeout.toNanos() && slot.starting == 0) {
                        drop(slot);
                        it.remove();
                    }
                }
                for (Map.Entry<K, Slot> e : slots.entrySet()) {
                    Slot slot = e.getValue();
                    // A sandbox in use still counts: its replacement starts when it is discarded, so that
                    // starting it does not compete with the request it serves for the CPUs.
                    if (slot.ready.size() + slot.starting + slot.inUse < targetPerKey && now >= slot.retryAfterNanos) {
                        next = e.getKey();
                        break;
                    }
                }
                if (next == null) {
                    changed.await(1, TimeUnit.SECONDS);
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                starts.acquire();
            } catch (InterruptedException e) {
                return;
            }
            startOne(next);
        }
    }

    private void startOne(K key) {
        Slot slot;
        lock.lock();
        try {
            slot = slots.get(key);
            if (slot == null || closed) {
                starts.release();
                return;
            }
            slot.starting++;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("ak-pool-start").start(() -> {
            try {
                startInto(key, slot);
            } finally {
                starts.release();
            }
        });
    }

    private void startInto(K key, Slot slot) {
            S box = null;
            try {
                box = launcher.apply(key);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "warm pool: cannot start a sandbox for " + key + ": " + e.getMessage());
            }
            boolean keep = false;
            lock.lock();
            try {
                slot.starting--;
                if (box == null) {
                    slot.retryAfterNanos = System.nanoTime() + FAILURE_BACKOFF.toNanos();
                } else if (!closed && !slot.dropped) {
                    slot.ready.addLast(box);
                    keep = true;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (box != null && !keep) {
                closeQuietly(box);
            }
    }

    /** Stops filling and destroys every ready sandbox (sandboxes already taken are their users'). */
    @Override
    public void close() {
        List<S> all = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (Slot slot : slots.values()) {
                slot.dropped = true;
                all.addAll(slot.ready);
                slot.ready.clear();
            }
            slots.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        filler.interrupt();
        try {
            // Sandboxes being started close themselves once started; wait for them.
            if (starts.tryAcquire(parallelStarts, 20, TimeUnit.SECONDS)) {
                starts.release(parallelStarts);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var closing = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (S box : all) {
                closing.submit(() -> closeQuietly(box));
            }
        }
    }
}
