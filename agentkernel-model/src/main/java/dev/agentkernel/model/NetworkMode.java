package dev.agentkernel.model;

/** Whether a sandbox may use the network. Either way it never shares the host's network namespace. */
public enum NetworkMode {
    /** Own network namespace with only a loopback interface. */
    NONE,
    /** Own network namespace with user-mode outbound access; the host's loopback is unreachable. */
    OUTBOUND
}
