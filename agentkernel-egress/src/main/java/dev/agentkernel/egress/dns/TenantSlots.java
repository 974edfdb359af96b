package dev.agentkernel.egress.dns;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cap on the work one sandbox has in the resolver at once (UDP queries being answered, TCP
 * connections open); beyond it, its queries are dropped. Sandboxes with nothing in flight take
 * no room.
 */
final class TenantSlots {

    private final int cap;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    TenantSlots(int cap) {
        this.cap = cap;
    }

    /** Takes a slot of {@code sandbox}; false if all of its slots are taken. */
    boolean tryAcquire(String sandbox) {
        boolean[] taken = {false};
        inFlight.compute(sandbox, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= cap) {
                return n;
            }
            taken[0] = true;
            return count + 1;
        });
        return taken[0];
    }

    /** Gives back a slot taken by {@link #tryAcquire}. */
    void release(String sandbox) {
        inFlight.computeIfPresent(sandbox, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** The slots {@code sandbox} holds (tests). */
    int held(String sandbox) {
        return inFlight.getOrDefault(sandbox, 0);
    }
}
