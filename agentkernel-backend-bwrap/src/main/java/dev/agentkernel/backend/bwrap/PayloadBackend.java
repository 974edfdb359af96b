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
 * Each has its own {@link NetworkChoice} (the host bridge, its egress gateway), which its refusals are reported
 * through and which closing it stops.
 */
interface PayloadBackend extends IsolationBackend {

    /** How this backend's sandboxes get network, and its egress gateway. */
    NetworkChoice networks();

    @Override
    default void egressEvents(dev.agentkernel.egress.EgressEvents events) {
        networks().events().target(events);
    }

    /** Stops the egress gateway (its nftables table goes with it), if a sandbox started it. */
    @Override
    default void close() {
        networks().close();
    }

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
