package dev.agentkernel.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.model.Profile;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link WarmPool} with fake sandboxes: one use each, exact keys, refill, failures, limits, close. */
class WarmPoolTest {

    static final PoolKey MODERATE = new PoolKey(Optional.empty(), Profile.MODERATE);
    static final PoolKey RESTRICTIVE = new PoolKey(Optional.empty(), Profile.RESTRICTIVE);
    static final PoolKey PYTHON = new PoolKey(Optional.of("python:3.12-alpine"), Profile.MODERATE);

    /** A fake sandbox: remembers its key, whether it was closed, and can die. */
    static final class Fake implements AutoCloseable {
        static final AtomicInteger IDS = new AtomicInteger();
        final int id = IDS.incrementAndGet();
        final PoolKey key;
        final AtomicBoolean closed = new AtomicBoolean();
        volatile boolean alive = true;

        Fake(PoolKey key) {
            this.key = key;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    final List<Fake> launched = new CopyOnWriteArrayList<>();

    WarmPool<PoolKey, Fake> pool(int target, Duration idle, int maxKeys) {
        return new WarmPool<>(key -> {
            Fake f = new Fake(key);
            launched.add(f);
            return f;
        }, f -> f.alive, target, 2, maxKeys, idle);
    }

    @Test
    void warmsTheTargetAndServesEachSandboxOnce() throws Exception {
        try (WarmPool<PoolKey, Fake> pool = pool(3, Duration.ofMinutes(1), 4)) {
            pool.warm(MODERATE);
            assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                Optional<Fake> f = Optional.empty();
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (f.isEmpty() && System.nanoTime() < deadline) {
                    f = pool.take(MODERATE);
                    if (f.isEmpty()) {
                        Thread.sleep(5);
                    }
                }
                assertThat(f).isPresent();
                assertThat(seen.add(f.get().id)).as("sandbox handed out twice").isTrue();
                assertThat(f.get().key).isEqualTo(MODERATE);
                pool.discard(f.get());
            }
            assertThat(pool.stats().served()).isEqualTo(30);
        }
    }

    @Test
    void aTakenSandboxIsReplacedOnlyOnceDiscarded() throws Exception {
        try (WarmPool<PoolKey, Fake> pool = pool(2, Duration.ofMinutes(1), 4)) {
            pool.warm(MODERATE);
            assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
            Fake inUse = pool.take(MODERATE).orElseThrow();
            Thread.sleep(200);
            assertThat(launched).as("no replacement while the request runs").hasSize(2);
            pool.discard(inUse);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (launched.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(launched).as("replaced once discarded").hasSize(3);
            assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
            assertThat(pool.stats().keys().getFirst().ready()).isEqualTo(2);
        }
    }

    @Test
    void neverServesAnotherKey() throws Exception {
        try (WarmPool<PoolKey, Fake> pool = pool(2, Duration.ofMinutes(1), 4)) {
            pool.warm(MODERATE);
            assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
            assertThat(pool.take(RESTRICTIVE)).as("first request of a new key: cold path").isEmpty();
            assertThat(pool.take(PYTHON)).isEmpty();
            assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
            assertThat(pool.take(RESTRICTIVE)).get().extracting(f -> f.key).isEqualTo(RESTRICTIVE);
            assertThat(pool.take(PYTHON)).get().extracting(f -> f.key).isEqualTo(PYTHON);
            assertThat(pool.stats().missed()).isEqualTo(2);
        }
    }

    @Test
    void deadSandboxesAreSkippedAndClosed() throws Exception {
        try (WarmPool<PoolKey, Fake> pool = pool(2, Duration.ofMinutes(1), 4)) {
            pool.warm(MODERATE);
            assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
            launched.forEach(f -> f.alive = false);
            List<Fake> dead = List.copyOf(launched);
            assertThat(pool.take(MODERATE)).isEmpty();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!dead.stream().allMatch(f -> f.closed.get()) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(dead).allMatch(f -> f.closed.get());
            assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
            assertThat(pool.take(MODERATE)).get().extracting(f -> f.alive).isEqualTo(true);
        }
    }

    @Test
    void aFailingLauncherBacksOffInsteadOfSpinning() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (WarmPool<PoolKey, Fake> pool = new WarmPool<>(key -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("no sandbox today");
        }, f -> true, 2, 2, 4, Duration.ofMinutes(1))) {
            pool.warm(MODERATE);
            Thread.sleep(500);
            assertThat(attempts.get()).as("attempts in 0.5 s").isBetween(1, 4);
            assertThat(pool.take(MODERATE)).isEmpty();
        }
    }

    @Test
    void keysBeyondTheLimitDropTheLeastRecentlyAskedFor() throws Exception {
        try (WarmPool<PoolKey, Fake> pool = pool(1, Duration.ofMinutes(1), 2)) {
            pool.warm(MODERATE);
            assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
            Fake moderate = launched.getFirst();
            pool.take(RESTRICTIVE);
            pool.take(PYTHON); // a third key: MODERATE, asked for least recently, goes
            assertThat(pool.stats().keys()).extracting(k -> k.key()).containsExactlyInAnyOrder(RESTRICTIVE, PYTHON);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!moderate.closed.get() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(moderate.closed).isTrue();
        }
    }

    @Test
    void idleKeysAreDropped() throws Exception {
        try (WarmPool<PoolKey, Fake> pool = pool(1, Duration.ofMillis(200), 4)) {
            pool.warm(MODERATE);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!pool.stats().keys().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pool.stats().keys()).isEmpty();
            while (!launched.stream().allMatch(f -> f.closed.get()) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(launched).allMatch(f -> f.closed.get());
        }
    }

    @Test
    void closeDestroysEveryReadySandboxAndStopsFilling() throws Exception {
        WarmPool<PoolKey, Fake> pool = pool(4, Duration.ofMinutes(1), 4);
        pool.warm(MODERATE);
        pool.warm(PYTHON);
        assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
        pool.close();
        assertThat(launched).hasSize(8).allMatch(f -> f.closed.get());
        assertThat(pool.take(MODERATE)).isEmpty();
        Thread.sleep(100);
        assertThat(launched).hasSize(8);
        assertThat(pool.stats().enabled()).isFalse();
    }

    @Test
    void concurrentTakersNeverShareASandbox() throws Exception {
        try (WarmPool<PoolKey, Fake> pool = pool(4, Duration.ofMinutes(1), 4)) {
            pool.warm(MODERATE);
            assertThat(pool.awaitWarm(Duration.ofSeconds(5))).isTrue();
            Set<Integer> ids = ConcurrentHashMap.newKeySet();
            AtomicInteger duplicates = new AtomicInteger();
            try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 8; t++) {
                    threads.submit(() -> {
                        for (int i = 0; i < 50; i++) {
                            pool.take(MODERATE).ifPresent(f -> {
                                if (!ids.add(f.id)) {
                                    duplicates.incrementAndGet();
                                }
                                pool.discard(f);
                            });
                        }
                    });
                }
            }
            assertThat(duplicates).hasValue(0);
            assertThat(pool.stats().served() + pool.stats().missed()).isEqualTo(400);
        }
    }
}
