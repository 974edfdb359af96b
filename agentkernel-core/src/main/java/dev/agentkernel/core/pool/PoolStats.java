package dev.agentkernel.core.pool;

import java.util.List;

/**
 * A snapshot of the warm pool.
 *
 * @param enabled      whether requests are served from the pool
 * @param targetPerKey sandboxes kept ready per key
 * @param keys         per key: how many are ready and how many are starting
 * @param served       requests served from the pool so far
 * @param missed       requests that found no ready sandbox and took the cold path
 * @param <K>          the pool's key type
 */
public record PoolStats<K>(boolean enabled, int targetPerKey, List<KeyStats<K>> keys, long served, long missed) {

    /** Validates and copies. */
    public PoolStats {
        keys = List.copyOf(keys);
    }

    /**
     * One key's sandboxes.
     *
     * @param key      the key
     * @param <K>      the pool's key type
     * @param ready    started and waiting for a request
     * @param starting being started now
     */
    public record KeyStats<K>(K key, int ready, int starting) {
    }
}
