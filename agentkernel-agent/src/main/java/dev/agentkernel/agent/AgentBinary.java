package dev.agentkernel.agent;

import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Path;

/**
 * The static agent binary shipped in this jar ({@code dev/agentkernel/agent/ak-agent-<os.arch>},
 * built from {@code src/main/c/ak-agent.c}), and its extraction to a directory that a backend
 * can mount read-only into a sandbox and run as the sandbox's command.
 */
public final class AgentBinary {

    private static final ExecutableResource BINARY = new ExecutableResource(AgentBinary.class.getClassLoader(),
            "dev/agentkernel/agent/ak-agent-", "ak-agent",
            "build it on such a machine with gcc and libc6-dev installed");

    private AgentBinary() {
    }

    /** The class-path resource of the binary for this JVM's architecture, e.g. {@code dev/agentkernel/agent/ak-agent-amd64}. */
    public static String resourceName() {
        return BINARY.resourceName();
    }

    /** Whether this jar has a binary for this JVM's architecture. */
    public static boolean isAvailable() {
        return BINARY.isAvailable();
    }

    /**
     * Makes the binary for this architecture available in {@code dir} (created if missing) and
     * returns its path ({@code ak-agent-<arch>-<16 hex digits of its hash>}); see
     * {@link ExecutableResource#extractTo}.
     *
     * @throws SandboxFailureException if this build has no binary for the architecture or the
     *                                 directory cannot be written
     */
    public static Path extractTo(Path dir) {
        return BINARY.extractTo(dir);
    }
}
