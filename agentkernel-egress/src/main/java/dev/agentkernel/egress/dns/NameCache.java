package dev.agentkernel.egress.dns;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Answers of {@link EgressResolver#resolve} kept for their TTL, one small cache per sandbox (so
 * that one sandbox cannot tell from timing what another looked up). Bounded: at most
 * {@code perSandbox} names per sandbox and {@code sandboxes} sandboxes, the least recently used
 * going first.
 */
final class NameCache {

    private final int perSandbox;
    private final int sandboxes;
    private final LongSupplier clock;
    private final LinkedHashMap<String, LinkedHashMap<String, Cached>> caches;

    NameCache(int perSandbox, int sandboxes, LongSupplier clock) {
        this.perSandbox = perSandbox;
        this.sandboxes = sandboxes;
        this.clock = clock;
        this.caches = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, LinkedHashMap<String, Cached>> eldest) {
                return size() > NameCache.this.sandboxes;
            }
        };
    }

    /** The addresses kept for {@code name} of {@code sandbox}, if they have not expired. */
    synchronized Optional<List<ResolvedAddress>> get(String sandbox, String name) {
        Map<String, Cached> cache = caches.get(sandbox);
        Cached entry = cache == null ? null : cache.get(name);
        if (entry == null) {
            return Optional.empty();
        }
        if (clock.getAsLong() - entry.expires >= 0) {
            cache.remove(name);
            return Optional.empty();
        }
        return Optional.of(entry.addresses);
    }

    /** Keeps {@code addresses} of {@code name} for {@code sandbox} for the smallest of their TTLs (capped at 1 h). */
    synchronized void put(String sandbox, String name, List<ResolvedAddress> addresses) {
        long ttl = addresses.stream().mapToLong(ResolvedAddress::ttlSeconds).min().orElse(0);
        ttl = Math.min(ttl, QueryAnswerer.MAX_ALLOW.toSeconds());
        if (ttl <= 0) {
            return;
        }
        LinkedHashMap<String, Cached> cache = caches.computeIfAbsent(sandbox, k -> new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > perSandbox;
            }
        });
        cache.put(name, new Cached(List.copyOf(addresses), clock.getAsLong() + ttl * 1_000_000_000L));
    }

    private record Cached(List<ResolvedAddress> addresses, long expires) {
    }
}
