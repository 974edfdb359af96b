package dev.agentkernel.core.session;

import dev.agentkernel.model.SessionNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stateful code session: an id, the {@link Interpreter} its code runs in, and when it was
 * used. Executions run one at a time, in order. A session is retired once (deleted, expired or
 * evicted); an idle session can be retired only while no execution runs or waits in it.
 * Package-private: {@link SessionManager} owns sessions.
 */
final class CodeSession {

    private final String id;
    private final Interpreter interpreter;
    private final List<String> volumes;
    private final Clock clock;
    private final Instant createdAt;
    private Instant lastUsedAt;     // guarded by this
    private long executions;        // guarded by this
    private int active;             // guarded by this: executions running or waiting
    private String retired;         // guarded by this: why it ended, or null

    CodeSession(String id, Interpreter interpreter, List<VolumeMapping> volumes, Clock clock) {
        this.id = Objects.requireNonNull(id, "id");
        this.interpreter = Objects.requireNonNull(interpreter, "interpreter");
        this.volumes = volumes.stream().map(VolumeMapping::toString).toList();
        this.clock = clock;
        this.createdAt = clock.instant();
        this.lastUsedAt = createdAt;
    }

    String id() {
        return id;
    }

    /** The host directory of the session's {@code /workspace}. */
    java.nio.file.Path workspaceDir() {
        return interpreter.workspaceDir();
    }

    InterpreterTemplate template() {
        return interpreter.template();
    }

    Flavor flavor() {
        return interpreter.flavor();
    }

    /** The backend its interpreter runs on (empty: the default). */
    java.util.Optional<String> backend() {
        return interpreter.backend();
    }

    /** Its interpreter's network policy. */
    dev.agentkernel.model.NetworkPolicy egress() {
        return interpreter.egress();
    }

    /**
     * Runs code in the session.
     *
     * @throws SessionNotFoundException if the session was retired before the code could start
     */
    ExecuteResult execute(String code, Duration timeout, boolean created) {
        synchronized (this) {
            if (retired != null) {
                throw new SessionNotFoundException("session '" + id + "' ended: " + retired);
            }
            active++;
            lastUsedAt = clock.instant();
        }
        try {
            Interpreter.Outcome outcome = interpreter.execute(code, timeout);
            DriverResult r = outcome.result();
            synchronized (this) {
                executions++;
            }
            return new ExecuteResult(id, template(), flavor(), created, outcome.stateLost(), r.stdout(), r.stderr(),
                    r.success(), r.error(), r.executionTimeMs());
        } finally {
            synchronized (this) {
                active--;
                lastUsedAt = clock.instant();
            }
        }
    }

    /** Whether no execution runs or waits in the session. */
    synchronized boolean isIdle() {
        return active == 0;
    }

    /** How long the session has been idle (zero while busy). */
    synchronized Duration idleFor() {
        return active > 0 ? Duration.ZERO : Duration.between(lastUsedAt, clock.instant());
    }

    /** When an execution last started or ended (for least-recently-used eviction). */
    synchronized Instant lastUsedAt() {
        return lastUsedAt;
    }

    /**
     * Retires the session if it is idle (for expiry and eviction); true if it was retired now.
     * The caller then closes it.
     */
    synchronized boolean retireIfIdle(String why) {
        if (retired != null || active > 0) {
            return false;
        }
        retired = why;
        return true;
    }

    /** Retires the session even while code runs (for delete); true if it was retired now. */
    synchronized boolean retire(String why) {
        if (retired != null) {
            return false;
        }
        retired = why;
        return true;
    }

    /** Kills the interpreter and deletes its files (after retiring). */
    void close() {
        interpreter.close();
    }

    synchronized SessionInfo info() {
        return new SessionInfo(id, template(), flavor(), active > 0, executions, createdAt, lastUsedAt, volumes);
    }
}
