package dev.agentkernel.core.sandbox;

import dev.agentkernel.model.SandboxRequest;
import java.util.Objects;

/**
 * A request to create a persistent sandbox.
 *
 * @param name    its name ({@link SandboxNames})
 * @param options image, profile, limits and network, as for any sandbox (env and workdir are per command)
 */
public record CreateSandbox(String name, SandboxRequest options) {
    /** Validates. */
    public CreateSandbox {
        SandboxNames.requireValid(name);
        Objects.requireNonNull(options, "options");
    }
}
