package dev.agentkernel.server;

import dev.agentkernel.core.secret.SecretManager;
import dev.agentkernel.core.session.SessionManager;
import dev.agentkernel.core.snapshot.SnapshotService;
import dev.agentkernel.core.task.TaskManager;
import dev.agentkernel.core.tools.ToolLibraries;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.pool.WarmPool;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.image.ImageService;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the HTTP API serves: the services behind its routes.
 *
 * @param runs         one-off commands ({@code /run}, {@code /run/stream}, {@code /batch/run})
 * @param sandboxes    persistent sandboxes, their files and the audit log
 * @param pool         the warm pool, for status
 * @param sessions     stateful code sessions
 * @param tasks        background tasks
 * @param tools        the tool libraries tasks and sessions see at {@code /tools}
 * @param backend      the isolation backend's name
 * @param spoolDir     private host directory for file reads being encoded
 * @param maxFileBytes largest file moved through the files API in one request
 * @param startedAt    when the daemon started
 * @param outputSpool  host directory where command output an answer keeps beyond what it holds in
 *                     memory waits until the answer is sent (on disk: the state directory's)
 * @param images       the image store ({@code /images}, status)
 * @param snapshots    snapshots of persistent sandboxes, sandboxes made from them, forks
 * @param secrets      the daemon's secrets ({@code /secrets}: names and dates, never values)
 * @param metrics      the daemon's metrics ({@code /metrics}; the HTTP filter's request counts)
 */
public record ApiServices(RunService runs, SandboxManager sandboxes, Optional<WarmPool<PoolKey, AgentSandbox>> pool,
                          SessionManager sessions, TaskManager tasks,
                          ToolLibraries tools, String backend,
                          Path spoolDir, long maxFileBytes, Instant startedAt, Path outputSpool,
                          ImageService images, SnapshotService snapshots, SecretManager secrets,
                          PrometheusMetrics metrics) {
    /** Validates. */
    public ApiServices {
        Objects.requireNonNull(runs, "runs");
        Objects.requireNonNull(sandboxes, "sandboxes");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(spoolDir, "spoolDir");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(outputSpool, "outputSpool");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(metrics, "metrics");
    }
}
