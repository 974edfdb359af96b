package dev.agentkernel.server;

import dev.agentkernel.core.metrics.Metric;
import dev.agentkernel.core.metrics.Metrics;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.pool.PoolStats;
import dev.agentkernel.core.pool.WarmPool;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.sandbox.SandboxInfo;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.SandboxState;
import dev.agentkernel.core.session.SessionManager;
import dev.agentkernel.core.task.TaskInfo;
import dev.agentkernel.core.task.TaskManager;
import dev.agentkernel.core.task.TaskStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's gauges, read from its services at every scrape: sandboxes by state and backend
 * (every state of the default backend and of each backend a sandbox uses, 0 included), the warm
 * pool's sandboxes, hits and misses, open code sessions, tasks by state (every state, 0 included).
 * Package-private.
 */
final class DaemonGauges {

    private DaemonGauges() {
    }

    static void register(Metrics metrics, SandboxManager sandboxes, Optional<WarmPool<PoolKey, AgentSandbox>> pool,
                         SessionManager sessions, TaskManager tasks, String defaultBackend) {
        metrics.sample(Metric.SANDBOXES, () -> sandboxesByState(sandboxes.list(), defaultBackend));
        metrics.sample(Metric.POOL_SANDBOXES, () -> {
            int ready = 0;
            int starting = 0;
            for (PoolStats.KeyStats<PoolKey> key : pool.map(WarmPool::stats).map(PoolStats::keys).orElse(List.of())) {
                ready += key.ready();
                starting += key.starting();
            }
            return Map.of(List.of("ready"), ready, List.of("starting"), starting);
        });
        metrics.sample(Metric.POOL_SERVED, () -> Map.of(List.of(), pool.map(p -> p.stats().served()).orElse(0L)));
        metrics.sample(Metric.POOL_MISSES, () -> Map.of(List.of(), pool.map(p -> p.stats().missed()).orElse(0L)));
        metrics.sample(Metric.POOL_INTERPRETERS, () -> {
            int ready = 0;
            int starting = 0;
            for (var key : sessions.pool().map(WarmPool::stats).map(PoolStats::keys).orElse(List.of())) {
                ready += key.ready();
                starting += key.starting();
            }
            return Map.of(List.of("ready"), ready, List.of("starting"), starting);
        });
        metrics.sample(Metric.POOL_INTERPRETERS_SERVED,
                () -> Map.of(List.of(), sessions.pool().map(p -> p.stats().served()).orElse(0L)));
        metrics.sample(Metric.POOL_INTERPRETERS_MISSES,
                () -> Map.of(List.of(), sessions.pool().map(p -> p.stats().missed()).orElse(0L)));
        metrics.sample(Metric.CODE_SESSIONS, () -> Map.of(List.of(), sessions.list().size()));
        metrics.sample(Metric.TASKS, () -> tasksByState(tasks.list()));
    }

    /** Sandboxes per (state, backend): every state of every backend seen and of the default one. */
    static Map<List<String>, Integer> sandboxesByState(List<SandboxInfo> all, String defaultBackend) {
        Map<List<String>, Integer> counts = new LinkedHashMap<>();
        java.util.Set<String> backends = new java.util.TreeSet<>();
        backends.add(defaultBackend);
        all.forEach(s -> backends.add(s.record().backend().isEmpty() ? defaultBackend : s.record().backend()));
        for (String backend : backends) {
            for (SandboxState state : SandboxState.values()) {
                counts.put(List.of(state.id(), backend), 0);
            }
        }
        for (SandboxInfo s : all) {
            String backend = s.record().backend().isEmpty() ? defaultBackend : s.record().backend();
            counts.merge(List.of(s.status().id(), backend), 1, Integer::sum);
        }
        return counts;
    }

    /** Tasks per state, every state included. */
    static Map<List<String>, Integer> tasksByState(List<TaskInfo> all) {
        Map<List<String>, Integer> counts = new LinkedHashMap<>();
        for (TaskStatus status : TaskStatus.values()) {
            counts.put(List.of(status.id()), 0);
        }
        all.forEach(t -> counts.merge(List.of(t.status().id()), 1, Integer::sum));
        return counts;
    }
}
