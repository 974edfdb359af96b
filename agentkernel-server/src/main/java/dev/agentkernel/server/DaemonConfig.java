package dev.agentkernel.server;

import dev.agentkernel.core.session.SessionSettings;
import dev.agentkernel.model.InvalidRequestException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Daemon} runs.
 *
 * @param server         how the API listens
 * @param backend        the isolation backend to use, or the best available
 * @param maxSandboxes   one-off runs that may run at once (more get 429), and persistent sandboxes that may run at once
 * @param poolSize       warm sandboxes kept ready per image and profile; 0 turns the pool off
 * @param defaultTimeout wall-clock limit of a command that asks for none
 * @param shutdownGrace  how long running requests may finish after a shutdown begins
 * @param maxFileBytes   largest file moved through the files API in one request
 * @param allowedDirs    host directories under which sandboxes may mount a project directory
 * @param sessions       limits and defaults of stateful code sessions
 * @param tasks          how background tasks run
 * @param retention      how long the audit log and finished tasks are kept
 * @param pausing        whether an access resumes a paused sandbox or is refused, and after how
 *                       long idle sandboxes pause themselves
 * @param egress         the network policy of sandboxes whose request has none of its own (its deny rules also
 *                       apply to those that have one)
 */
public record DaemonConfig(ServerConfig server, Optional<String> backend, int maxSandboxes, int poolSize,
                           Duration defaultTimeout, Duration shutdownGrace, long maxFileBytes,
                           java.util.List<java.nio.file.Path> allowedDirs, SessionSettings sessions,
                           TaskConfig tasks, RetentionConfig retention,
                           dev.agentkernel.core.sandbox.PauseSettings pausing,
                           dev.agentkernel.model.NetworkPolicy egress) {

    /** Default warm sandboxes per key. */
    public static final int DEFAULT_POOL_SIZE = 4;

    /** Validates. */
    public DaemonConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(backend, "backend");
        if (maxSandboxes < 1 || maxSandboxes > 4096) {
            throw new InvalidRequestException("the sandbox limit must be between 1 and 4096, got " + maxSandboxes);
        }
        if (poolSize < 0 || poolSize > 256) {
            throw new InvalidRequestException("the pool size must be between 0 and 256, got " + poolSize);
        }
        Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (maxFileBytes < 1) {
            throw new InvalidRequestException("the file size limit must be positive");
        }
        allowedDirs = java.util.List.copyOf(allowedDirs);
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(pausing, "pausing");
        Objects.requireNonNull(egress, "egress");
    }

    /** A configuration without a network policy of its own. */
    public DaemonConfig(ServerConfig server, Optional<String> backend, int maxSandboxes, int poolSize,
                        Duration defaultTimeout, Duration shutdownGrace, long maxFileBytes,
                        java.util.List<java.nio.file.Path> allowedDirs, SessionSettings sessions,
                        TaskConfig tasks, RetentionConfig retention,
                        dev.agentkernel.core.sandbox.PauseSettings pausing) {
        this(server, backend, maxSandboxes, poolSize, defaultTimeout, shutdownGrace, maxFileBytes, allowedDirs, sessions,
                tasks, retention, pausing, dev.agentkernel.model.NetworkPolicy.NONE);
    }

    /** A copy with another default network policy. */
    public DaemonConfig withEgress(dev.agentkernel.model.NetworkPolicy value) {
        return new DaemonConfig(server, backend, maxSandboxes, poolSize, defaultTimeout, shutdownGrace, maxFileBytes,
                allowedDirs, sessions, tasks, retention, pausing, value);
    }

    /** Defaults around a server configuration: best backend, 32 sandboxes, pool of 4, 10 min, 10 s grace, 64 MiB files. */
    public static DaemonConfig defaults(ServerConfig server) {
        return new DaemonConfig(server, Optional.empty(), 32, DEFAULT_POOL_SIZE, Duration.ofMinutes(10),
                Duration.ofSeconds(10), 64L * 1024 * 1024, java.util.List.of(), SessionSettings.defaults(),
                TaskConfig.defaults(), RetentionConfig.defaults(),
                dev.agentkernel.core.sandbox.PauseSettings.DEFAULT);
    }

    /** A copy with another backend. */
    public DaemonConfig withBackend(Optional<String> value) {
        return new DaemonConfig(server, value, maxSandboxes, poolSize, defaultTimeout, shutdownGrace, maxFileBytes, allowedDirs, sessions, tasks, retention, pausing, egress);
    }

    /** A copy with another sandbox limit. */
    public DaemonConfig withMaxSandboxes(int value) {
        return new DaemonConfig(server, backend, value, poolSize, defaultTimeout, shutdownGrace, maxFileBytes, allowedDirs, sessions, tasks, retention, pausing, egress);
    }

    /** A copy with another pool size (0: no pool). */
    public DaemonConfig withPoolSize(int value) {
        return new DaemonConfig(server, backend, maxSandboxes, value, defaultTimeout, shutdownGrace, maxFileBytes, allowedDirs, sessions, tasks, retention, pausing, egress);
    }

    /** A copy with another default timeout. */
    public DaemonConfig withDefaultTimeout(Duration value) {
        return new DaemonConfig(server, backend, maxSandboxes, poolSize, value, shutdownGrace, maxFileBytes, allowedDirs, sessions, tasks, retention, pausing, egress);
    }

    /** A copy with other directories that may be mounted. */
    public DaemonConfig withAllowedDirs(java.util.List<java.nio.file.Path> value) {
        return new DaemonConfig(server, backend, maxSandboxes, poolSize, defaultTimeout, shutdownGrace, maxFileBytes, value, sessions, tasks, retention, pausing, egress);
    }

    /** A copy with another file size limit. */
    public DaemonConfig withMaxFileBytes(long value) {
        return new DaemonConfig(server, backend, maxSandboxes, poolSize, defaultTimeout, shutdownGrace, value, allowedDirs, sessions, tasks, retention, pausing, egress);
    }

    /** A copy with other code-session settings. */
    public DaemonConfig withSessions(SessionSettings value) {
        return new DaemonConfig(server, backend, maxSandboxes, poolSize, defaultTimeout, shutdownGrace, maxFileBytes,
                allowedDirs, value, tasks, retention, pausing, egress);
    }

    /** A copy with another way of running background tasks. */
    public DaemonConfig withTasks(TaskConfig value) {
        return new DaemonConfig(server, backend, maxSandboxes, poolSize, defaultTimeout, shutdownGrace, maxFileBytes,
                allowedDirs, sessions, value, retention, pausing, egress);
    }

    /** A copy with another shutdown grace period. */
    public DaemonConfig withShutdownGrace(Duration value) {
        return new DaemonConfig(server, backend, maxSandboxes, poolSize, defaultTimeout, value, maxFileBytes, allowedDirs, sessions, tasks, retention, pausing, egress);
    }

    /** A copy with other retention. */
    /** A copy with other pause settings (resume on access or 409, automatic pause of idle sandboxes). */
    public DaemonConfig withPausing(dev.agentkernel.core.sandbox.PauseSettings value) {
        return new DaemonConfig(server, backend, maxSandboxes, poolSize, defaultTimeout, shutdownGrace, maxFileBytes,
                allowedDirs, sessions, tasks, retention, value, egress);
    }

    public DaemonConfig withRetention(RetentionConfig value) {
        return new DaemonConfig(server, backend, maxSandboxes, poolSize, defaultTimeout, shutdownGrace, maxFileBytes,
                allowedDirs, sessions, tasks, value, pausing, egress);
    }
}
