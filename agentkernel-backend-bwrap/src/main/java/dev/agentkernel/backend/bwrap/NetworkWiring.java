package dev.agentkernel.backend.bwrap;

/** How a sandbox is connected to the network. */
enum NetworkWiring {
    /** No network: bubblewrap's own network namespace with only {@code lo}. */
    OFFLINE,
    /**
     * User-mode networking: bubblewrap's own network namespace, and a slirp4netns process per
     * sandbox attached to it before the command runs ({@link SlirpNetwork}).
     */
    SLIRP4NETNS,
    /**
     * A veth pair into a namespace the launcher creates, on the host bridge with NAT
     * ({@link BridgeNetwork}); bubblewrap joins that namespace instead of creating one.
     */
    BRIDGE
}
