package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.BackendUnavailableException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides, once per backend and on first use, how sandboxes with network are connected:
 * through the host bridge ({@link BridgeNetwork}: root, {@code ip} and {@code nft} installed,
 * the set-up succeeds), otherwise through slirp4netns. {@code AGENTKERNEL_NETWORK=bridge} or
 * {@code =slirp4netns} forces one (an error if it cannot be used); unset or {@code auto}
 * chooses.
 */
final class NetworkChoice {

    /** The environment variable that forces a mechanism. */
    static final String ENV = "AGENTKERNEL_NETWORK";
    private static final System.Logger LOG = System.getLogger(NetworkChoice.class.getName());

    private final HostContext host;
    private final Optional<Path> slirp;
    private final EgressPolicy egress;
    private final EventRelay events = new EventRelay();
    private final HostAddresses hostAddresses = new HostAddresses();
    private Decision decision;
    private EgressGateway gateway;

    /**
     * The outcome.
     *
     * @param wiring {@link NetworkWiring#BRIDGE} or {@link NetworkWiring#SLIRP4NETNS}
     * @param bridge the bridge, for {@link NetworkWiring#BRIDGE}
     * @param slirp  the slirp4netns program, for {@link NetworkWiring#SLIRP4NETNS}
     */
    record Decision(NetworkWiring wiring, Optional<BridgeNetwork> bridge, Optional<Path> slirp) {
        /**
         * Validates that the bridge comes exactly with {@link NetworkWiring#BRIDGE} (the launcher
         * makes the namespace only when it gets the bridge's arguments, and bubblewrap keeps the
         * launcher's namespace only with that wiring) and slirp4netns with its own wiring.
         */
        Decision {
            if (bridge.isPresent() != (wiring == NetworkWiring.BRIDGE)
                    || slirp.isPresent() != (wiring == NetworkWiring.SLIRP4NETNS)) {
                throw new IllegalArgumentException("inconsistent network decision: " + wiring);
            }
        }
    }

    /**
     * @throws BackendUnavailableException if {@value EgressPolicy#ALLOW_ENV} is malformed
     */
    NetworkChoice(HostContext host, Optional<Path> slirp) {
        this.host = host;
        this.slirp = slirp;
        this.egress = EgressPolicy.fromEnvironment(host.env());
    }

    /** What sandboxes with network may reach beyond the host, whichever the mechanism. */
    EgressPolicy egress() {
        return egress;
    }

    /** Where the egress gateway reports refusals. */
    EventRelay events() {
        return events;
    }

    /**
     * The egress gateway of sandboxes with a network policy, started on the first call (the bridge
     * must be the mechanism).
     *
     * @throws BackendUnavailableException if it cannot start
     */
    synchronized EgressGateway gateway() {
        if (gateway == null) {
            Path nft = HostTools.find("nft").orElseThrow(() -> new BackendUnavailableException(
                    "nft not found (fix: " + HostTools.installHint("nftables") + ")"));
            gateway = EgressGateway.start(host, nft, events, this::reachable);
        }
        return gateway;
    }

    /** Stops the egress gateway, if it was started. */
    synchronized void close() {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
    }

    /** Whether the host may connect to {@code address} for a sandbox: not refused by {@link #egress}, not the host's. */
    private boolean reachable(java.net.InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || !egress.reachable(address)) {
            return false;
        }
        return !hostAddresses.contains(address);
    }

    /** A sandbox's place on the host bridge: the bridge, and whether the sandbox is under egress control. */
    record Bridged(BridgeNetwork bridge, boolean policed) {
    }

    /**
     * The host bridge for a sandbox of {@code backend} with network (the OCI runtimes and docker give network
     * through the bridge only).
     *
     * @throws BackendUnavailableException if there is no bridge here (not root, or no 'ip' and 'nft')
     */
    Bridged bridgeFor(String backend, dev.agentkernel.model.SandboxSpec spec) {
        Decision decision = decide();
        if (decision.bridge().isEmpty()) {
            throw new BackendUnavailableException("the " + backend + " backend gives sandboxes network through the host "
                    + "bridge only, which needs AgentKernel to run as root with 'ip' and 'nft' (apt-get install "
                    + "iproute2 nftables); or use a profile without network");
        }
        return new Bridged(decision.bridge().get(), Egress.policed(spec, decision));
    }

    /**
     * The mechanism for sandboxes with network, decided on the first call.
     *
     * @throws BackendUnavailableException if no mechanism can be used, with every reason
     */
    synchronized Decision decide() {
        if (decision == null) {
            decision = choose();
        }
        return decision;
    }

    private Decision choose() {
        String forced = host.env().getOrDefault(ENV, "auto").strip().toLowerCase(Locale.ROOT);
        if (!forced.equals("auto") && !forced.isEmpty() && !forced.equals("bridge") && !forced.equals("slirp4netns")) {
            throw new BackendUnavailableException(ENV + " must be auto, bridge or slirp4netns, not '" + forced + "'");
        }
        String bridgeProblem = "not chosen (" + ENV + "=slirp4netns)";
        if (!forced.equals("slirp4netns")) {
            try {
                return new Decision(NetworkWiring.BRIDGE, Optional.of(bridge()), Optional.empty());
            } catch (BackendUnavailableException e) {
                bridgeProblem = e.getMessage();
                if (forced.equals("bridge")) {
                    throw new BackendUnavailableException("the bridge network (" + ENV + "=bridge) cannot be used: "
                            + bridgeProblem);
                }
            }
        }
        if (slirp.isEmpty()) {
            throw new BackendUnavailableException("this sandbox needs network but slirp4netns is not installed (fix: "
                    + HostTools.installHint("slirp4netns") + ", or run with --no-network) and the bridge network "
                    + "cannot be used: " + bridgeProblem);
        }
        LOG.log(System.Logger.Level.DEBUG, "sandbox network: slirp4netns; bridge: " + bridgeProblem);
        return new Decision(NetworkWiring.SLIRP4NETNS, Optional.empty(), slirp);
    }

    private BridgeNetwork bridge() {
        if (!host.root()) {
            throw new BackendUnavailableException("needs root");
        }
        Path ip = HostTools.find("ip").orElseThrow(() -> new BackendUnavailableException(
                "ip not found (fix: " + HostTools.installHint("iproute2") + ")"));
        Path nft = HostTools.find("nft").orElseThrow(() -> new BackendUnavailableException(
                "nft not found (fix: " + HostTools.installHint("nftables") + ")"));
        return BridgeNetwork.prepare(ip, nft);
    }
}
