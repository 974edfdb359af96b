package dev.agentkernel.backend.bwrap;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The destinations each sandbox was let through to ({@link EgressTable#pass}) and until when, so
 * that an answer of the egress resolver adds a packet-filter element only when the sandbox has no
 * pass to that address yet or its pass runs out before half the new answer's time to live: adding
 * one runs {@code nft}, which costs milliseconds, and a program that resolves the same name again
 * and again would pay that on every lookup.
 */
final class PassedDestinations {

    private final Map<InetAddress, Map<InetAddress, Long>> bySandbox = new ConcurrentHashMap<>();

    /**
     * Whether {@code sandbox} needs a new pass to {@code destination} for {@code ttl} at {@code now}
     * (nanoseconds, {@link System#nanoTime}); if so, the pass is recorded as lasting {@code ttl}
     * from {@code now} (the caller then adds it).
     */
    boolean renew(InetAddress sandbox, InetAddress destination, Duration ttl, long now) {
        Map<InetAddress, Long> passed = bySandbox.computeIfAbsent(sandbox, a -> new ConcurrentHashMap<>());
        long wanted = ttl.toNanos();
        boolean[] renew = {false};
        passed.compute(destination, (d, until) -> {
            if (until != null && until - now >= wanted / 2) {
                return until;
            }
            renew[0] = true;
            return now + wanted;
        });
        return renew[0];
    }

    /** Forgets a pass that could not be added. */
    void forget(InetAddress sandbox, InetAddress destination) {
        Map<InetAddress, Long> passed = bySandbox.get(sandbox);
        if (passed != null) {
            passed.remove(destination);
        }
    }

    /** Forgets every pass of {@code sandbox}; the destinations it had. */
    Set<InetAddress> release(InetAddress sandbox) {
        Map<InetAddress, Long> passed = bySandbox.remove(sandbox);
        return passed == null ? Set.of() : Set.copyOf(passed.keySet());
    }
}
