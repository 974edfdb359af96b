package dev.agentkernel.core.sandbox;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each sandbox was last used through the API and how many requests are using it now:
 * what decides whether a sandbox is idle ({@link IdlePauser}). Thread-safe. Package-private.
 */
final class SandboxActivity {

    private final Map<String, Use> uses = new ConcurrentHashMap<>();

    /** One request using a sandbox; closing it ends the use and counts as activity. */
    interface Busy extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Use {
        private int inFlight;
        private long lastNanos = System.nanoTime();
    }

    /** Marks the start of a use (an exec, a file operation); close the result when it ends. */
    Busy busy(String name) {
        Use use = uses.computeIfAbsent(name, n -> new Use());
        synchronized (use) {
            use.inFlight++;
            use.lastNanos = System.nanoTime();
        }
        return () -> {
            synchronized (use) {
                use.inFlight--;
                use.lastNanos = System.nanoTime();
            }
        };
    }

    /** Counts as activity now (a sandbox started or resumed). */
    void touch(String name) {
        Use use = uses.computeIfAbsent(name, n -> new Use());
        synchronized (use) {
            use.lastNanos = System.nanoTime();
        }
    }

    /** Whether nothing uses {@code name} and nothing did for {@code idleAfter}. */
    boolean idleFor(String name, Duration idleAfter) {
        Use use = uses.computeIfAbsent(name, n -> new Use());
        synchronized (use) {
            return use.inFlight == 0 && System.nanoTime() - use.lastNanos >= idleAfter.toNanos();
        }
    }

    /** Forgets a sandbox that was removed. */
    void forget(String name) {
        uses.remove(name);
    }
}
