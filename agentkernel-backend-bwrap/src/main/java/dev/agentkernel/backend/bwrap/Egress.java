package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the backends share about starting and ending a sandbox under egress control. */
final class Egress {

    private Egress() {
    }

    /**
     * Whether {@code spec}'s sandbox runs under egress control (it has network, and a policy or secrets).
     *
     * @throws BackendUnavailableException if it does but its network is not the host bridge
     */
    static boolean policed(SandboxSpec spec, NetworkChoice.Decision network) {
        if (!spec.egressControlled()) {
            return false;
        }
        if (network.bridge().isEmpty()) {
            throw new BackendUnavailableException("network policies (allow and deny rules, extra hosts) and secrets "
                    + "are enforced on the host bridge, which needs AgentKernel to run as root with 'ip' and 'nft' installed "
                    + "(apt-get install iproute2 nftables); this sandbox's network is " + network.wiring());
        }
        return true;
    }

    /** Ends a sandbox's egress control: its rules, then its launch gate and the gate's directory. */
    static void end(AutoCloseable admission, LaunchGate gate, Path dir) {
        if (admission != null) {
            try {
                admission.close();
            } catch (Exception e) {
                System.getLogger(Egress.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot remove a sandbox's egress rules: " + e.getMessage());
            }
        }
        if (gate != null) {
            gate.close();
            try {
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // not empty or gone: the runtime directory's reaper removes it
            }
        }
    }
}
