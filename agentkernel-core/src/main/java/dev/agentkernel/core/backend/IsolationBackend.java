package dev.agentkernel.core.backend;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.SandboxSpec;
import java.util.List;
import java.util.Optional;

/**
 * A way of running a command in a fresh, isolated sandbox. Thread-safe: one backend
 * serves many concurrent executions.
 */
public interface IsolationBackend extends AutoCloseable {

    /** The provider's name. */
    String name();

    /**
     * Starts {@code command} in a new sandbox built from {@code spec}. Returns once the
     * command has been started; the sandbox lives until the command ends, is killed or
     * times out, and then everything it created on the host is removed.
     *
     * @throws dev.agentkernel.model.SandboxFailureException if the sandbox cannot be set up;
     *         nothing is left behind in that case
     */
    Execution start(SandboxSpec spec, CommandSpec command, Stdio stdio);

    /**
     * Starts a new sandbox built from {@code spec} whose command is the in-sandbox agent
     * ({@code dev.agentkernel.agent}, shipped with the backend) serving its protocol on the
     * execution's stdin/stdout pipes ({@code stdio} must be {@link Stdio#pipes}). The agent is
     * started so that it can run each command as the sandbox's unprivileged user or, when the
     * command asks, as root of the sandbox, and so that nothing it runs can reach it. Returns once
     * the agent process has started; the caller waits for it to answer.
     *
     * @throws dev.agentkernel.model.SandboxFailureException if the sandbox cannot be set up;
     *         nothing is left behind in that case
     */
    Execution startAgent(SandboxSpec spec, Stdio stdio);

    /**
     * The host command line this backend would run for {@code command} in a sandbox built from
     * {@code spec}, for diagnostics ({@code --verbose}) and for benchmarks that run the same
     * isolation without AgentKernel; empty for backends that do not start one process.
     */
    default Optional<List<String>> commandLine(SandboxSpec spec, CommandSpec command) {
        return Optional.empty();
    }

    /**
     * Whether the sandbox's image changes what this backend builds. A backend that runs every
     * sandbox on the host's own system directories ignores it, so sandboxes for different
     * images are interchangeable (the warm pool then keys on the profile alone).
     */
    default boolean usesImages() {
        return true;
    }

    /**
     * How the ids of this backend's sandboxes own files on the host (their workspace, their
     * writable layer). By default sandboxes run as this process's user.
     */
    default SandboxIds sandboxIds() {
        return SandboxIds.ofThisProcess();
    }

    /**
     * {@link #sandboxIds} of the sandboxes of the backend called {@code backend} (a sandbox's record names it):
     * this backend's own unless it chooses among several ({@link BackendRouter}), whose ids may differ (a Docker
     * engine's remapped range is its own).
     */
    default SandboxIds sandboxIds(String backend) {
        return sandboxIds();
    }

    /**
     * Where this backend reports what egress control refused (sandboxes with a
     * {@link dev.agentkernel.model.NetworkPolicy}); by default nowhere. A backend that cannot
     * enforce policies refuses such sandboxes when they start.
     */
    default void egressEvents(dev.agentkernel.egress.EgressEvents events) {
    }

    /** Releases backend-wide resources. Running executions are not affected. */
    @Override
    default void close() {
    }
}
