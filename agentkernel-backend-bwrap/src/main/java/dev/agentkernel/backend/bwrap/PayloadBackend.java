package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.SandboxSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * A backend of this module: every sandbox's first process is the agent binary, either as the exec shim of
 * one command ({@link #start}) or serving its protocol ({@link #startAgent}); both are one {@link #launch}.
 */
interface PayloadBackend extends IsolationBackend {

    /** Starts a sandbox whose first process is the agent with {@code payload}. */
    Execution launch(SandboxSpec spec, BwrapCommandLine.Payload payload, Optional<Duration> timeout, Stdio stdio);

    @Override
    default Execution start(SandboxSpec spec, CommandSpec command, Stdio stdio) {
        return launch(spec, new BwrapCommandLine.Payload.Command(command), command.timeout(), stdio);
    }

    @Override
    default Execution startAgent(SandboxSpec spec, Stdio stdio) {
        return launch(spec, new BwrapCommandLine.Payload.Agent(), Optional.empty(), stdio);
    }
}
